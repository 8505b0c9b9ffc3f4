"""The console's registry entry (issue 13, item 10): a site is opened with a valid 网站标识码 and
a kind the operator chose; every registry field and the domains stay editable, each change in
the audit trail (old → new); activation needs the code and the responsible people; suspend and
archive need a reason and a confirmation; the console's error pages are its own, in Chinese."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django_tenants.utils import schema_context

from security.audit.models import AuditEvent
from security.roles import CONSOLE_SECURITY_AUDITOR
from tenants import services
from tenants.models import Domain

pytestmark = pytest.mark.django_db
CONSOLE = "console.localhost"

NEW_SITE = {
    "kind": "department",
    "legal_name": "乌海市林业和草原局",
    "short_name": "市林草局",
    "domain": "lcj.example.gov.cn",
    "schema_name": "",
    "responsible_leader": "分管副局长",
    "responsible_leader_phone": "0473-1234567",
    "operator_unit": "市林草局办公室",
    "operator_contact": "网站负责人",
    "operator_contact_phone": "0473-7654321",
}


@pytest.fixture
def console():
    get_user_model().objects.create_user("ops", password="Operator-Pass-2026", is_staff=True)
    client = Client(HTTP_HOST=CONSOLE)
    client.post("/login/", {"username": "ops", "password": "Operator-Pass-2026"})
    return client


def registry_post(site, **changes):
    data = {
        "legal_name": site.legal_name,
        "short_name": site.short_name,
        "site_code": "1503059001",
        "icp_number": site.icp_number,
        "police_record_number": "",
        "languages": ",".join(site.languages),
        "parent": site.parent_id or "",
        "sponsor_unit": site.sponsor_unit,
        "operator_unit": site.operator_unit,
        "responsible_leader": site.responsible_leader,
        "responsible_leader_phone": site.responsible_leader_phone,
        "operator_contact": site.operator_contact,
        "operator_contact_phone": site.operator_contact_phone,
        "contact_phone": site.contact_phone,
        "contact_email": site.contact_email,
    }
    data.update(changes)
    return data


def test_a_site_is_opened_only_with_a_valid_site_code_and_a_kind_the_operator_chose(console):
    form = console.get("/sites/new/").content.decode()
    assert 'value="" selected' in form  # no kind chosen in advance (not 门户网站)
    without_kind = console.post("/sites/new/", {**NEW_SITE, "kind": "", "site_code": "1503009001"})
    assert 'id="id_kind_error"' in without_kind.content.decode()
    without_code = console.post("/sites/new/", NEW_SITE).content.decode()
    assert 'id="id_site_code_error"' in without_code
    bad_code = console.post("/sites/new/", {**NEW_SITE, "site_code": "15-03"}).content.decode()
    assert "网站标识码应为 10 位" in bad_code
    assert not services.sites().filter(legal_name=NEW_SITE["legal_name"]).exists()
    # The form kept what was typed.
    assert "市林草局办公室" in bad_code

    opened = console.post("/sites/new/", {**NEW_SITE, "site_code": "1503009001"})
    assert "已开设" in opened.content.decode()
    assert services.get_site("lcj").site_code == "1503009001"


def test_the_whole_registry_entry_is_editable_and_each_change_audited(console, alpha, beta):
    page = console.get(f"/sites/{alpha.schema_name}/").content.decode()
    assert 'name="police_record_number"' in page and 'name="legal_name"' in page
    response = console.post(
        f"/sites/{alpha.schema_name}/registry/",
        registry_post(
            alpha,
            legal_name="乌海市甲区人民政府（新）",
            short_name="甲区",
            icp_number="蒙ICP备2026001号",
            police_record_number="蒙公网安备 15030202000001号",
            languages="zh-hans,en",
            parent=beta.pk,
        ),
    )
    assert response.status_code == 302
    site = services.get_site("alpha")
    assert site.legal_name == "乌海市甲区人民政府（新）" and site.short_name == "甲区"
    assert site.site_code == "1503059001" and site.parent == beta
    assert site.police_record_number == "蒙公网安备 15030202000001号"
    assert site.languages == ["zh-hans", "en"]
    event = AuditEvent.objects.filter(schema_name="public", event_type="console.site_registry")
    changes = event.latest("seq").changes
    assert changes["legal_name"] == [alpha.legal_name, "乌海市甲区人民政府（新）"]
    assert changes["site_code"] == [alpha.site_code, "1503059001"]
    # Wagtail's Site carries the new name.
    from wagtail.models import Site

    with schema_context("alpha"):
        assert Site.objects.get().site_name == "乌海市甲区人民政府（新）"

    # Bad input: a clear message, nothing changed.
    refused = console.post(
        f"/sites/{alpha.schema_name}/registry/",
        registry_post(site, legal_name="别的名字", site_code="12", police_record_number="x"),
        follow=True,
    ).content.decode()
    assert "网站标识码应为 10 位" in refused and "公安机关备案号" in refused
    assert services.get_site("alpha").legal_name == "乌海市甲区人民政府（新）"
    # Another site's code cannot be taken.
    taken = console.post(
        f"/sites/{beta.schema_name}/registry/",
        registry_post(beta, site_code="1503059001"),
        follow=True,
    ).content.decode()
    assert "已被" in taken and services.get_site("beta").site_code != "1503059001"


def test_domains_are_added_removed_and_made_primary_with_wagtail_kept_in_step(console, alpha):
    from wagtail.models import Site

    url = f"/sites/{alpha.schema_name}/domains/"
    bad = console.post(url, {"action": "add", "domain": "alpha.example.com"}, follow=True)
    assert ".gov.cn" in bad.content.decode()
    taken = console.post(url, {"action": "add", "domain": "beta.localhost"}, follow=True)
    assert "已被" in taken.content.decode()
    console.post(url, {"action": "add", "domain": "jiaqu.localhost"})
    assert Domain.objects.filter(tenant=alpha, domain="jiaqu.localhost", is_primary=False).exists()
    assert Client().get("/", HTTP_HOST="jiaqu.localhost").status_code in (200, 301, 302)

    console.post(url, {"action": "primary", "domain": "jiaqu.localhost"})
    assert services.get_site("alpha").primary_domain == "jiaqu.localhost"
    with schema_context("alpha"):
        assert Site.objects.get().hostname == "jiaqu.localhost"
    # The primary cannot be removed; the old one can.
    refused = console.post(url, {"action": "remove", "domain": "jiaqu.localhost"}, follow=True)
    assert "主域名" in refused.content.decode()
    console.post(url, {"action": "remove", "domain": "alpha.localhost"})
    assert list(Domain.objects.filter(tenant=alpha).values_list("domain", flat=True)) == [
        "jiaqu.localhost"
    ]
    kinds = list(
        AuditEvent.objects.filter(schema_name="public", event_type="console.site_domains")
        .order_by("seq")
        .values_list("changes", flat=True)
    )
    assert kinds[0] == {"added": "jiaqu.localhost"}
    assert kinds[1] == {"primary": ["alpha.localhost", "jiaqu.localhost"]}
    assert kinds[2] == {"removed": "alpha.localhost"}


def test_suspend_and_archive_need_a_reason_and_a_confirmation_and_record_them(console, alpha):
    url = f"/sites/{alpha.schema_name}/status/"
    no_reason = console.post(url, {"status": "suspended", "confirm": "on"}, follow=True)
    assert "请填写原因" in no_reason.content.decode()
    unconfirmed = console.post(url, {"status": "suspended", "reason": "等保整改"}, follow=True)
    assert "请确认" in unconfirmed.content.decode()
    assert services.get_site("alpha").status == "active"

    console.post(url, {"status": "suspended", "reason": "等保整改", "confirm": "on"})
    site = services.get_site("alpha")
    assert site.status == "suspended" and site.status_reason == "等保整改"
    assert "等保整改" in console.get(f"/sites/{alpha.schema_name}/").content.decode()
    event = AuditEvent.objects.filter(schema_name="public", event_type="console.site_status")
    assert event.latest("seq").changes["reason"] == "等保整改"


def test_a_site_is_not_activated_without_its_site_code_and_responsible_people(console, alpha):
    services.set_status(alpha, "suspended", reason="检查")
    services.get_site("alpha").__class__.objects.filter(pk=alpha.pk).update(site_code="")
    url = f"/sites/{alpha.schema_name}/status/"
    refused = console.post(url, {"status": "active"}, follow=True).content.decode()
    assert "网站标识码" in refused and services.get_site("alpha").status == "suspended"
    alpha.__class__.objects.filter(pk=alpha.pk).update(
        site_code="1503059002", responsible_leader=""
    )
    refused = console.post(url, {"status": "active"}, follow=True).content.decode()
    assert "主管领导" in refused and services.get_site("alpha").status == "suspended"
    alpha.__class__.objects.filter(pk=alpha.pk).update(responsible_leader="区长")
    console.post(url, {"status": "active"})
    assert services.get_site("alpha").status == "active"


def test_the_console_audit_log_shows_each_event_once(alpha):
    auditor = get_user_model().objects.create_user("aud", password="Auditor-Pass-2026")
    auditor.groups.add(Group.objects.get(name=CONSOLE_SECURITY_AUDITOR))
    services.set_status(alpha, "suspended", reason="唯一一次的原因")
    client = Client(HTTP_HOST=CONSOLE)
    client.post("/login/", {"username": "aud", "password": "Auditor-Pass-2026"})
    page = client.get("/audit/?event=console.site_status").content.decode()
    assert page.count("唯一一次的原因") == 1
    # The site's own trail still has it (its admins read it there).
    assert AuditEvent.objects.filter(schema_name="alpha", event_type="console.site_status").exists()
    assert client.get("/audit/?site=alpha").content.decode().count("唯一一次的原因") == 1


def test_the_security_auditor_needs_two_factor_like_operators(settings):
    settings.TWO_FACTOR_ENFORCED = True
    auditor = get_user_model().objects.create_user("aud2", password="Auditor-Pass-2026")
    auditor.groups.add(Group.objects.get(name=CONSOLE_SECURITY_AUDITOR))
    client = Client(HTTP_HOST=CONSOLE)
    client.post("/login/", {"username": "aud2", "password": "Auditor-Pass-2026"})
    response = client.get("/audit/")
    assert response.status_code == 302 and response["Location"].startswith("/2fa/setup/")


def test_the_console_error_pages_are_styled_and_in_chinese(console):
    missing = console.get("/no-such-page/")
    assert missing.status_code == 404
    html = missing.content.decode()
    assert "页面不存在" in html and "console.css" in html and "平台控制台" in html
    forbidden = console.get("/audit/")  # an operator is not a security auditor
    assert forbidden.status_code == 403
    html = forbidden.content.decode()
    assert "没有权限" in html and "console.css" in html and "Forbidden" not in html


def test_the_police_record_number_is_shown_in_the_sites_footer_and_only_its_own(
    console, alpha, beta
):
    console.post(
        f"/sites/{alpha.schema_name}/registry/",
        registry_post(alpha, police_record_number="蒙公网安备 15030202000009号"),
    )
    assert (
        "蒙公网安备 15030202000009号"
        in Client().get("/", HTTP_HOST="alpha.localhost").content.decode()
    )
    assert "15030202000009" not in Client().get("/", HTTP_HOST="beta.localhost").content.decode()


def test_the_console_500_page_is_its_own_and_in_chinese():
    from django.test import RequestFactory

    from tenants.console.views import server_error

    response = server_error(RequestFactory().get("/", HTTP_HOST=CONSOLE))
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务暂时不可用" in html and "console.css" in html and "平台控制台" in html


def test_the_console_speaks_chinese_to_an_english_browser(console):
    # Found walking the demo: LocaleMiddleware followed Accept-Language outside /admin/, so an
    # English browser got "This field is required." on the console's forms.
    english = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
    html = console.post("/sites/new/", {"legal_name": "乌海市林业局"}, **english).content.decode()
    assert "This field is required" not in html
    errors = re.findall(r'class="errorlist"[^>]*><li>([^<]*)</li>', html)
    assert errors and all(re.search(r"[\u4e00-\u9fff]", e) for e in errors), errors


def test_the_change_history_reads_in_the_registrys_words(console, alpha):
    # Found walking the demo: 变更记录 showed the stored JSON, {"status": ["active", …]}.
    url = f"/sites/{alpha.schema_name}/status/"
    console.post(url, {"status": "suspended", "reason": "等保整改", "confirm": "on"})
    html = console.get(f"/sites/{alpha.schema_name}/").content.decode()
    history = html[html.index('id="history"') :]
    assert "状态：运行 → 暂停" in history
    assert "原因：等保整改" in history
    assert '{"status"' not in history and "suspended" not in history
