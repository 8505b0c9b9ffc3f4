"""Demo data for the security area: one person per role on a demo site, and responsibility
records, so a visitor of the demo can try each role. Called by seed_demo."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django_tenants.utils import schema_context

from security.roles import OUTSOURCED_OPERATOR, roles_for

# username per role (the webmaster exists already: provisioning made it)
DEMO_USERS = {
    "编辑": "editor",
    "审核员": "reviewer",
    "保密审查员": "secrecy",
    "外包运维": "vendor",
    "审计员": "auditor",
    "市级编审": "curator",
}


def responsibility(site: dict) -> dict:
    """Fictional responsibility fields for a demo site (the `site:` entry of its data file)."""
    return {
        "responsible_leader": f"{site['short_name']}分管副职（演示）",
        "responsible_leader_phone": site.get("contact_phone", "0473-0000000"),
        "operator_unit": site.get("operator_unit") or f"{site['short_name']}办公室",
        "operator_contact": "网站运维负责人（演示）",
        "operator_contact_phone": site.get("contact_phone", "0473-0000000"),
    }


@cache
def password_hash(password: str) -> str:
    """The demo password hashed once per process: PBKDF2 at Django's cost takes ~0.5 s, and the
    demo city has some sixty accounts. They share the hash (and its salt): the demo password
    is published anyway, and each account still checks it the normal way."""
    return make_password(password)


def seed(website, password: str) -> list[tuple[str, str]]:
    """Create the demo role accounts on `website` (idempotent); returns (username, role)."""
    created = []
    with schema_context(website.schema_name):
        user_model = get_user_model()
        for role in roles_for(website.kind):
            username = DEMO_USERS.get(role)
            if not username:
                continue
            user, _ = user_model.objects.get_or_create(
                username=username,
                defaults={"first_name": role, "password": lambda: password_hash(password)},
            )
            user.groups.add(Group.objects.get(name=role))
            created.append((username, role))
            if role == OUTSOURCED_OPERATOR:
                vendor_grant(user)
        give_addresses(website)
    return created


def vendor_grant(user):
    """The demo vendor's contract: one column (通知公告 where there is one), ending in ten
    days, so the webmaster's dashboard shows the warning (O3)."""
    import datetime

    from django.utils import timezone

    from security.models import VendorGrant
    from sites.core.models import ColumnPage

    section = (
        ColumnPage.objects.filter(slug="tzgg").first()
        or ColumnPage.objects.filter(depth=3).order_by("path").first()
    )
    if section is None or VendorGrant.objects.filter(user=user).exists():
        return
    grant = VendorGrant.objects.create(
        user=user,
        company="乌海某网络科技有限公司（演示）",
        contract_number="演示-2026-001",
        contract_end=timezone.localdate() + datetime.timedelta(days=10),
    )
    grant.sections.set([section])


def give_addresses(website) -> None:
    """Demo accounts get an address at their site, so review tasks and offers are mailed
    (without EMAIL_URL, to the site's admin mail list: 设置 → 邮件)."""
    user_model = get_user_model()
    for user in user_model.objects.filter(email=""):
        user.email = f"{user.username}@{website.primary_domain}"
        user.save(update_fields=["email"])
