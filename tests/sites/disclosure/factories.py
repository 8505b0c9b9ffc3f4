"""Disclosure items made through the same save path the admin uses (in the current schema)."""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from sites.core.models import ColumnPage
from sites.disclosure.models import (
    Department,
    DisclosureArticlePage,
    PolicyDocumentPage,
    PolicyInterpretationPage,
    TopicCategory,
)

_counter = itertools.count(1)


def column(slug):
    return ColumnPage.objects.get(slug=slug)


def catalogue_defaults(**overrides):
    values = {
        "topic_category": TopicCategory.objects.get(name="综合政务"),
        "department": Department.objects.order_by("pk").first(),
        "date": datetime.date(2025, 6, 1),
        "live": False,  # as the admin creates them: a draft until a revision is published
    }
    values.update(overrides)
    return values


def make_document(parent=None, publish=True, **fields):
    n = next(_counter)
    values = catalogue_defaults(
        title=fields.pop("title", f"关于加强城市道路管理的通知{n}"),
        slug=f"doc-{n}",
        issuing_body="甲区人民政府",
        document_number=f"甲政发〔2025〕{n}号",
        date_written=datetime.date(2025, 5, 20),
        genre="notice",
    )
    values.update(fields)
    page = (parent or column("zcwj")).add_child(instance=PolicyDocumentPage(**values))
    if publish:
        page.save_revision().publish()
    return page


def make_article(parent=None, publish=True, **fields):
    n = next(_counter)
    values = catalogue_defaults(
        title=fields.pop("title", f"甲区召开安全生产工作会议{n}"), slug=f"art-{n}", genre="news"
    )
    values.update(fields)
    page = (parent or column("gzdt")).add_child(instance=DisclosureArticlePage(**values))
    if publish:
        page.save_revision().publish()
    return page


def make_interpretation(document, parent=None, publish=True, **fields):
    n = next(_counter)
    values = catalogue_defaults(
        title=fields.pop("title", f"《{document.title}》政策解读{n}"),
        slug=f"jd-{n}",
        genre="interpretation",
        interpreted_document=document,
    )
    values.update(fields)
    page = (parent or column("zcjd")).add_child(instance=PolicyInterpretationPage(**values))
    if publish:
        page.save_revision().publish()
    return page


STAFF_PASSWORD = "Review-Pass-2026!"


def make_user(username, *group_names, password=STAFF_PASSWORD):
    """A user of the current site in these groups (made or updated)."""
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"first_name": username}
    )
    user.set_password(password)
    user.save()
    user.groups.set([Group.objects.get(name=name) for name in group_names])
    return user


def edit_form(doc, **changes):
    """The admin's edit form of a policy document, as posted with “publish”, with `changes`."""
    values = {
        "title": doc.title,
        "slug": doc.slug,
        "document_kind": doc.document_kind,
        "document_number": doc.document_number,
        "issuing_body": doc.issuing_body,
        "validity": doc.validity,
        "validity_changed_on": "",
        "superseded_by": "",
        "index_number": doc.index_number,
        "topic_category": doc.topic_category_id,
        "genre": doc.genre,
        "department": doc.department_id,
        "scope": doc.scope,
        "time_limit": doc.time_limit,
        "valid_until": "",
        "date_written": doc.date_written.isoformat(),
        "date": doc.date.isoformat(),
        "grade": doc.grade,
        "summary": doc.summary,
        "body": streamfield([]),
        "comments": inline_formset([]),
        "action-publish": "1",
    }
    values.update(changes)
    return nested_form_data(values)
