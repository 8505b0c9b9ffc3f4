"""Test data made the way editors and operators make it: sites, users, published articles.

Helpers live here (and in tests/clients.py, tests/<area>/factories.py), never in a conftest:
a conftest holds fixtures only.
"""

import base64
import datetime
import itertools
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.oath import TOTP
from django_tenants.utils import schema_context
from wagtail.rich_text import RichText

from sites.core.models import ArticlePage, ColumnPage

PASSWORD = "Correct-Horse-Battery-9"  # alpha's webmaster
BETA_PASSWORD = "Other-Staple-Lantern-7"  # beta's webmaster: same username, other password
PORTAL_PASSWORD = "Portal-Curator-Password-5"
PORTAL_SCHEMA = "synportal"
# Who answers for a site (Z3): without these a site cannot be (re)activated.
RESPONSIBILITY = dict(
    responsible_leader="王主任",
    responsible_leader_phone="0473-3920001",
    operator_unit="乌海市大数据中心",
    operator_contact="李工",
    operator_contact_phone="0473-3920002",
)

_counter = itertools.count(1)


def unique(text: str) -> str:
    return f"{text}{datetime.datetime.now():%H%M%S%f}{next(_counter)}"


def make_article(
    website, title, body="", *, column="gzdt", summary="", date=None, publish=True, live=True
):
    """An ArticlePage under `column` of `website`; published through a revision when `publish`."""
    with schema_context(website.schema_name):
        parent = ColumnPage.objects.get(slug=column)
        page = ArticlePage(
            title=title,
            slug=unique("a"),
            date=date or datetime.date.today(),
            summary=summary,
            body=[("paragraph", RichText(f"<p>{body}</p>"))] if body else [],
            live=live and not publish,
        )
        parent.add_child(instance=page)
        revision = page.save_revision()
        if publish:
            revision.publish()
        page.refresh_from_db()
        return page


def make_user(website, username, role=None, password="Long-Enough-Pass-2026", **extra):  # noqa: S107
    """A user of `website` (in its schema), optionally in one of its roles."""
    with schema_context(website.schema_name):
        user = get_user_model().objects.create_user(username=username, password=password, **extra)
        if role:
            user.groups.add(Group.objects.get(name=role))
    return user


def totp_code(secret: str, at: float | None = None) -> str:
    """What an authenticator app shows for `secret` (base32, as the setup page gives it) at
    time `at` (now by default)."""
    totp = TOTP(base64.b32decode(secret))
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def enrolled_authenticator(website, user):
    """A confirmed authenticator for `user` (sealed like any other); returns its base32 key."""
    from security.models import SealedTOTPDevice

    with schema_context(website.schema_name):
        return SealedTOTPDevice.objects.create(user=user, name="认证器", confirmed=True).secret


def pending_secret(website, user) -> str:
    """The key of the authenticator `user` is enrolling (the setup page shows it)."""
    from security.models import SealedTOTPDevice

    with schema_context(website.schema_name):
        return SealedTOTPDevice.objects.get(user=user, confirmed=False).secret
