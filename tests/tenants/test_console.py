"""The platform console on the public schema's host: operators only."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tenants import services

pytestmark = pytest.mark.django_db
CONSOLE = "console.localhost"


@pytest.fixture
def operator():
    return get_user_model().objects.create_user("ops", password="Operator-Pass-2026", is_staff=True)


@pytest.fixture
def console(operator):
    client = Client(HTTP_HOST=CONSOLE)
    response = client.post("/login/", {"username": "ops", "password": "Operator-Pass-2026"})
    assert response.status_code == 302 and response["Location"] == "/"  # the site list
    return client


def test_console_requires_an_operator_login():
    client = Client(HTTP_HOST=CONSOLE)
    assert client.get("/").status_code == 302
    get_user_model().objects.create_user("citizen", password="Citizen-Pass-2026")
    client.post("/login/", {"username": "citizen", "password": "Citizen-Pass-2026"})
    response = client.get("/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_site_webmaster_credentials_do_not_open_the_console(alpha):
    from tests.factories import PASSWORD

    client = Client(HTTP_HOST=CONSOLE)
    response = client.post("/login/", {"username": "webmaster", "password": PASSWORD})
    assert response.status_code == 200  # form shown again with an error: no such console account


def test_operator_lists_sites_and_provisions_one(console, alpha, beta):
    listing = console.get("/").content.decode()
    assert alpha.legal_name in listing and beta.legal_name in listing
    assert "site_template" not in listing

    response = console.post(
        "/sites/new/",
        {
            "kind": "department",
            "legal_name": "乌海市林业和草原局",
            "short_name": "市林草局",
            "domain": "lcj.example.gov.cn",
            "schema_name": "",
            "site_code": "1503009101",
            # Z3/O1: a site is opened with its responsible leader and operating unit on record.
            "responsible_leader": "分管副局长",
            "responsible_leader_phone": "0473-1234567",
            "operator_unit": "市林草局办公室",
            "operator_contact": "网站负责人",
            "operator_contact_phone": "0473-7654321",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "已开设" in html and "初始密码" in html
    assert services.get_site("lcj").legal_name == "乌海市林业和草原局"


def test_bad_domain_in_the_form_says_the_rule_and_creates_nothing(console):
    response = console.post(
        "/sites/new/",
        {
            "kind": "district",
            "legal_name": "测试区人民政府",
            "short_name": "测试区",
            "domain": "test.example.com",
        },
    )
    assert response.status_code == 200
    assert ".gov.cn" in response.content.decode()
    assert not services.sites().filter(legal_name="测试区人民政府").exists()


def test_operator_suspends_and_reactivates_a_site(console, alpha):
    console.post(
        f"/sites/{alpha.schema_name}/status/",
        {"status": "suspended", "reason": "等保测评整改", "confirm": "on"},
    )
    assert services.get_site("alpha").status == "suspended"
    assert Client().get("/", HTTP_HOST=alpha.primary_domain).status_code == 503
    console.post(f"/sites/{alpha.schema_name}/status/", {"status": "active"})
    assert services.get_site("alpha").status == "active"
    response = console.post("/sites/nosuch/status/", {"status": "active"}, follow=True)
    assert "没有模式名" in response.content.decode()


def test_console_is_not_served_on_a_site_host_and_vice_versa(alpha):
    assert Client().get("/sites/new/", HTTP_HOST=alpha.primary_domain).status_code == 404
    assert Client().get("/admin/", HTTP_HOST=CONSOLE).status_code == 404


def test_an_operator_unlocks_a_console_account_and_resets_its_authenticator_and_sees_no_site_accounts(
    console, alpha, settings
):
    from django_tenants.utils import schema_context

    from security.audit.models import AuditEvent
    from security.models import SealedTOTPDevice

    # as in production (the test settings relax it)
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
    colleague = get_user_model().objects.create_user(
        "ops2", password="Operator-Two-2026", is_staff=True
    )
    SealedTOTPDevice.objects.create(user=colleague, name="认证器", confirmed=True)
    other = Client(HTTP_HOST=CONSOLE, REMOTE_ADDR="10.3.3.3")
    for _ in range(5):
        refused = other.post("/login/", {"username": "ops2", "password": "wrong-password-xx"})
    assert (
        "已被暂时锁定" in refused.content.decode()
        and "联系平台运维人员解锁" in refused.content.decode()
    )
    # A site's locked account belongs to that site's admin, never to the console's list.
    site = Client(HTTP_HOST="alpha.localhost", REMOTE_ADDR="10.4.4.4")
    for _ in range(5):
        site.post("/admin/login/", {"username": "alpha-clerk", "password": "wrong-password-xx"})
    with schema_context("alpha"):
        from security import lockout

        assert any(value == "alpha-clerk" for _, value, _, _ in lockout.locked_accounts())

    page = console.get("/accounts/").content.decode()
    locks = page[page.index('id="locks"') : page.index('id="devices"')]
    assert (
        locks.count("<td>ops2</td>") == 1 and locks.count("<td>10.3.3.3</td>") == 1
    )  # one row each
    assert "ops2" in page and "10.3.3.3" in page
    assert "alpha-clerk" not in page and "10.4.4.4" not in page
    console.post("/accounts/", {"scope": "account", "value": "ops2"})
    console.post("/accounts/", {"scope": "ip", "value": "10.3.3.3"})
    assert (
        other.post("/login/", {"username": "ops2", "password": "Operator-Two-2026"}).status_code
        == 302
    )
    console.post("/accounts/", {"scope": "2fa", "value": "ops2"})
    assert not SealedTOTPDevice.objects.filter(user=colleague).exists()
    kinds = set(
        AuditEvent.objects.filter(schema_name="public", actor="ops").values_list(
            "event_type", flat=True
        )
    )
    assert {"auth.unlock", "auth.2fa_reset"} <= kinds


def test_only_operators_open_the_console_account_page():
    from django.contrib.auth.models import Group

    from security.roles import CONSOLE_SECURITY_AUDITOR, ensure_console_roles

    ensure_console_roles()
    auditor = get_user_model().objects.create_user("reader", password="Reader-Pass-2026")
    auditor.groups.add(Group.objects.get(name=CONSOLE_SECURITY_AUDITOR))
    client = Client(HTTP_HOST=CONSOLE)
    client.force_login(auditor)
    response = client.get("/accounts/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post("/accounts/", {"scope": "account", "value": "ops"}).status_code == 302
