"""Issue 13 item 7: 使用帮助 per role, help text on the fields that carry rules, and the
dashboard's 我的待办 (review tasks, the portal's offer inbox, scheduled and expiring items),
each site seeing only its own."""

import datetime

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from federation.syndication import offers
from security.roles import MUNICIPAL_CURATOR
from sites.core.models import ColumnPage
from sites.disclosure import workflows as w
from sites.disclosure.models import DisclosureItem
from tests.clients import admin_client, site_client
from tests.factories import make_user, unique
from tests.sites.disclosure import factories as disclosure

pytestmark = pytest.mark.django_db

ROLES = ["网站管理员", "编辑", "审核", "保密审查", "市级编审", "运维"]


def test_help_has_a_chinese_guide_for_every_role(alpha):
    with schema_context(alpha.schema_name):
        editor = disclosure.make_user("help_editor", w.EDITOR)
    client = site_client(alpha, editor)
    index = client.get("/admin/help/")
    assert index.status_code == 200
    html = index.content.decode()
    for role in ROLES:
        assert role in html, role
    assert html.index("我的角色") < html.index("起草和修改信息")  # the editor's own guide first
    for slug in ("webmaster", "editor", "reviewer", "secrecy", "leader", "curator", "operator"):
        guide = client.get(f"/admin/help/{slug}/")
        assert guide.status_code == 200 and "使用帮助：" in guide.content.decode()
    assert client.get("/admin/help/nobody/").status_code == 404
    assert "使用帮助" in client.get("/admin/").content.decode()  # menu and dashboard link


def test_fields_that_carry_rules_explain_them(alpha):
    for name in ("grade", "document_number", "validity", "index_number"):
        assert DisclosureItem._meta.get_field(name).help_text, name
    assert "〔" in DisclosureItem._meta.get_field("document_number").help_text
    assert "已废止" in DisclosureItem._meta.get_field("validity").help_text
    assert ColumnPage._meta.get_field("column_type").help_text
    with schema_context(alpha.schema_name):
        doc = disclosure.make_document(publish=False)
    form = admin_client(alpha).get(f"/admin/pages/{doc.pk}/edit/").content.decode()
    assert "被修订或废止后改为" in form and "会自动改正" in form


def test_the_dashboard_lists_my_reviews_scheduled_and_expiring_items(alpha, beta):
    with schema_context(alpha.schema_name):
        editor = disclosure.make_user("todo_editor", w.EDITOR)
        reviewer = disclosure.make_user("todo_reviewer", w.REVIEWER)
        waiting = disclosure.make_document(publish=False, title="等待审核的通知")
        waiting.save_revision(user=editor)
        waiting.get_workflow().start(waiting, editor)
        later = disclosure.make_document(publish=False, title="定时发布的通知")
        later.go_live_at = timezone.now() + datetime.timedelta(days=2)
        later.save_revision(user=editor).publish()
        ending = disclosure.make_document(publish=True, title="即将下线的通知")
        ending.expire_at = timezone.now() + datetime.timedelta(days=3)
        ending.save_revision().publish()

    mine = site_client(alpha, reviewer).get("/admin/").content.decode()
    assert "我的待办" in mine and "等待你审核" in mine and "等待审核的通知" in mine

    webmaster = admin_client(alpha).get("/admin/").content.decode()
    assert "定时发布" in webmaster and "定时发布的通知" in webmaster
    assert "即将到期" in webmaster and "即将下线的通知" in webmaster

    other = admin_client(beta).get("/admin/").content.decode()
    assert "我的待办" in other
    for title in ("等待审核的通知", "定时发布的通知", "即将下线的通知"):
        assert title not in other


def test_the_portal_curator_sees_offers_waiting(alpha, beta, portal, publish, committed):
    curator = make_user(portal, unique("todo_cur"), MUNICIPAL_CURATOR)
    title = unique("报送待办测试")
    page = publish(alpha, title, "正文")
    with committed(), schema_context(alpha.schema_name):
        offers.offer_page(alpha, page)
    dashboard = site_client(portal, curator).get("/admin/").content.decode()
    assert "报送收件箱待处理" in dashboard and title in dashboard
    # the offering site's webmaster, and another site's, see no inbox
    for website in (alpha, beta):
        assert "报送收件箱待处理" not in admin_client(website).get("/admin/").content.decode()
