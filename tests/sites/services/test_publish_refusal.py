"""An incomplete guide cannot be published (issue 14, item 1; S1): name, legal basis,
conditions and materials, each refused with what is missing, on every path that makes a page
live — publish button, bulk, schedule, copy, move, revert, a script."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.actions.copy_page import CopyPageAction
from wagtail.models import Page

from sites.services.completeness import IncompleteGuide, missing_in_content
from sites.services.models import ServiceItemPage
from tests.clients import admin_client

from .factories import edit_form, make_item, services_index

REFUSED = "办事指南不完整，不能发布"


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("title", "事项名称"),
        ("legal_basis", "设定依据"),
        ("conditions", "受理条件"),
        ("materials", "申请材料"),
    ],
)
def test_each_missing_field_is_named(field, label):
    content = {
        "title": "事项",
        "legal_basis": "依据",
        "conditions": "条件",
        "materials": [{"name": "身份证"}],
    }
    assert missing_in_content(content) == []
    content[field] = [] if field == "materials" else "  "
    assert [m for m in missing_in_content(content) if label in m]
    assert len(missing_in_content(content)) == 1


def test_every_missing_part_is_listed_at_once(in_alpha):
    page = make_item(publish=False, materials=(), legal_basis="", conditions="")
    with pytest.raises(IncompleteGuide) as refused:
        page.save_revision().publish()
    assert refused.value.missing == ["设定依据", "受理条件", "申请材料（至少一项）"]
    assert not Page.objects.get(pk=page.pk).live


def test_publish_button_keeps_the_draft_and_says_what_is_missing(alpha, in_alpha):
    page = make_item(publish=False)
    client = admin_client(alpha)
    response = client.post(
        f"/admin/pages/{page.pk}/edit/", edit_form(page, legal_basis="", materials=[]), follow=True
    )
    text = response.content.decode()
    assert REFUSED in text and "设定依据" in text and "申请材料" in text
    assert not Page.objects.get(pk=page.pk).live
    page = ServiceItemPage.objects.get(pk=page.pk)
    assert page.get_latest_revision().content["legal_basis"] == ""  # the draft was saved


def test_publish_button_publishes_a_complete_guide(alpha, in_alpha):
    page = make_item(publish=False)
    client = admin_client(alpha)
    client.post(f"/admin/pages/{page.pk}/edit/", edit_form(page), follow=True)
    assert Page.objects.get(pk=page.pk).live


def test_create_and_publish_in_the_admin(alpha, in_alpha):
    client = admin_client(alpha)
    index = services_index()
    form = edit_form(make_item(publish=False), title="新事项", slug="xin-shixiang", conditions="")
    response = client.post(
        f"/admin/pages/add/services/serviceitempage/{index.pk}/", form, follow=True
    )
    assert "受理条件" in response.content.decode()
    created = ServiceItemPage.objects.get(slug="xin-shixiang")
    assert not created.live


def test_bulk_publish(alpha, in_alpha):
    bad, good = make_item(publish=False, conditions=""), make_item(publish=False)
    good.save_revision()
    bad.save_revision()
    client = admin_client(alpha)
    response = client.post(
        f"/admin/bulk/wagtailcore/page/publish/?id={bad.pk}&id={good.pk}&next=/admin/",
        {},
        follow=True,
    )
    assert REFUSED in response.content.decode()
    assert not Page.objects.get(pk=bad.pk).live


def test_scheduled_sweep_skips_the_incomplete_and_goes_on(in_alpha):
    bad, good = make_item(publish=False, legal_basis=""), make_item(publish=False)
    past = timezone.now() - datetime.timedelta(minutes=5)
    for page in (bad, good):
        page.go_live_at = past
        revision = page.save_revision()
        revision.approved_go_live_at = past
        revision.save()
    call_command("publish_scheduled")
    assert not Page.objects.get(pk=bad.pk).live
    assert Page.objects.get(pk=good.pk).live
    assert not bad.revisions.filter(approved_go_live_at__isnull=False).exists()


def test_copy_kept_live_is_refused_in_the_admin_and_by_a_script(alpha, in_alpha):
    page = make_item()
    # made incomplete behind the editor's back (a script emptying a field of the live row)
    ServiceItemPage.objects.filter(pk=page.pk).update(conditions="")
    client = admin_client(alpha)
    response = client.post(
        f"/admin/pages/{page.pk}/copy/",
        {
            "new_title": "副本",
            "new_slug": "fuben-svc",
            "new_parent_page": services_index().pk,
            "publish_copies": "on",
        },
        follow=True,
    )
    assert REFUSED in response.content.decode()
    assert not Page.objects.filter(slug="fuben-svc").exists()
    # a script's copy kept live: the copy is made, as a draft
    CopyPageAction(
        ServiceItemPage.objects.get(pk=page.pk), update_attrs={"slug": "copy-svc"}, keep_live=True
    ).execute()
    assert not Page.objects.get(slug="copy-svc").live


def test_revert_to_an_incomplete_revision(alpha, in_alpha):
    page = make_item(publish=False, materials=())
    incomplete = page.save_revision()
    page = ServiceItemPage.objects.get(pk=page.pk)
    page.materials = []
    from sites.services.models import ServiceMaterial

    page.materials = [ServiceMaterial(name="身份证")]
    page.save_revision().publish()
    live = Page.objects.get(pk=page.pk).live_revision_id
    client = admin_client(alpha)
    response = client.post(
        f"/admin/pages/{page.pk}/revisions/{incomplete.pk}/revert/",
        edit_form(page, materials=[]),
        follow=True,
    )
    assert REFUSED in response.content.decode()
    assert Page.objects.get(pk=page.pk).live_revision_id == live


def test_move_does_not_publish_a_draft(alpha, in_alpha):
    page = make_item(publish=False, conditions="")
    other = make_item()  # any other page to move under and back is not allowed: use the index
    client = admin_client(alpha)
    client.post(f"/admin/pages/{page.pk}/move/{services_index().pk}/confirm/", {}, follow=True)
    assert not Page.objects.get(pk=page.pk).live
    assert Page.objects.get(pk=other.pk).live


def test_scripts_cannot_put_an_incomplete_row_live(in_alpha):
    page = make_item(publish=False, legal_basis="")
    with pytest.raises(IncompleteGuide):
        page.save_revision().publish()
    row = ServiceItemPage.objects.get(pk=page.pk)
    row.live = True
    with pytest.raises(IncompleteGuide):
        row.save()
    plain = Page.objects.get(pk=page.pk)
    plain.live, plain.live_revision = True, page.get_latest_revision()
    with pytest.raises(IncompleteGuide):
        plain.save()
    assert not Page.objects.get(pk=page.pk).live


def test_the_indicator_finds_a_live_item_emptied_behind_the_rule(in_alpha):
    from sites.services.indicators import incomplete_items

    page = make_item()
    make_item(publish=False, legal_basis="")  # a draft: not published, not counted
    assert incomplete_items() == []
    ServiceItemPage.objects.filter(pk=page.pk).update(conditions="")
    assert [(p.pk, missing) for p, missing in incomplete_items()] == [(page.pk, ["受理条件"])]


def test_the_scorecard_vetoes_an_emptied_guide_and_no_other_sites(in_alpha, alpha, beta):
    """Through monitoring's real scorecard (SCORECARD_INDICATORS): alpha's emptied guide is a
    veto item linking to its editor; beta, with a complete item, has no such finding."""
    from django_tenants.utils import schema_context

    from federation.monitoring import scorecards

    page = make_item()
    ServiceItemPage.objects.filter(pk=page.pk).update(conditions="")
    with schema_context(beta.schema_name):
        make_item()
    card = scorecards.compute_scorecard(alpha)
    found = [f for f in card.findings.all() if f.indicator == "services.incomplete_guides"]
    assert [(f.severity, f.title) for f in found] == [("veto", f"办事指南要素缺失：{page.title}")]
    assert found[0].admin_path == f"/admin/pages/{page.pk}/edit/"
    other = scorecards.compute_scorecard(beta)
    assert not [f for f in other.findings.all() if f.indicator == "services.incomplete_guides"]
