"""Operators edit the platform's dictionary in the console, webmasters their site's in its
admin; neither sees the other site's entries."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_tenants.utils import schema_context

from security.audit.models import AuditEvent
from security.roles import EDITOR
from security.screening import services
from security.screening.models import ScreeningTerm
from tests.clients import site_client, verify_session
from tests.factories import make_user

pytestmark = pytest.mark.django_db
CONSOLE = "console.localhost"


@pytest.fixture
def console():
    get_user_model().objects.create_user("scr_ops", password="Operator-Pass-2026", is_staff=True)
    client = Client(HTTP_HOST=CONSOLE)
    client.post("/login/", {"username": "scr_ops", "password": "Operator-Pass-2026"})
    verify_session(client, get_user_model().objects.get(username="scr_ops"))
    return client


def test_operator_adds_a_platform_term_that_every_site_checks(console, alpha, beta):
    response = console.post(
        "/screening/",
        {
            "action": "add_term",
            "kind": "official_name",
            "term": "乌海市卫生局",
            "suggestion": "乌海市卫生健康委员会",
        },
        follow=True,
    )
    assert "已添加" in response.content.decode()
    assert AuditEvent.objects.filter(event_type="screening.dictionary_change").exists()
    for site in (alpha, beta):
        with schema_context(site.schema_name):
            [finding] = services.check_text("原乌海市卫生局")
            assert finding.suggestion == "乌海市卫生健康委员会" and finding.serious
    # a bad entry says why and adds nothing
    response = console.post(
        "/screening/", {"action": "add_term", "kind": "mistake", "term": "按装"}, follow=True
    )
    assert "须填写正确写法" in response.content.decode()
    assert not ScreeningTerm.objects.filter(term="按装").exists()


def test_operator_imports_and_exports_csv(console):
    data = "类别,词语,正确写法\n易错词,按装,安装\n".encode()
    upload = io.BytesIO(data)
    upload.name = "terms.csv"
    response = console.post(
        "/screening/", {"action": "import", "which": "terms", "file": upload}, follow=True
    )
    assert "新增 1 条" in response.content.decode()
    export = console.get("/screening/?export=terms")
    assert "按装,安装" in export.content.decode("utf-8-sig")


def webmaster_of(site):
    with schema_context(site.schema_name):
        return site_client(site, get_user_model().objects.get(username="webmaster"))


def test_webmaster_imports_the_sites_dictionary_and_other_sites_see_nothing(alpha, beta):
    client = webmaster_of(alpha)
    upload = io.BytesIO("类别,词语,正确写法\n错误的名称或称谓,甲区旧局,甲区新局\n".encode())
    upload.name = "terms.csv"
    response = client.post(
        "/admin/screening/dictionary/", {"which": "terms", "file": upload}, follow=True
    )
    assert "新增 1 条" in response.content.decode()
    assert "甲区旧局" in client.get("/admin/snippets/screening/screeningterm/").content.decode()
    assert "甲区旧局" in client.get("/admin/screening/dictionary/?export=terms").content.decode(
        "utf-8-sig"
    )
    other = webmaster_of(beta)
    assert "甲区旧局" not in other.get("/admin/snippets/screening/screeningterm/").content.decode()
    assert "甲区旧局" not in other.get("/admin/screening/dictionary/?export=terms").content.decode(
        "utf-8-sig"
    )
    with schema_context(beta.schema_name):
        assert services.check_text("甲区旧局") == []


def test_an_editor_cannot_change_the_dictionary(alpha):
    with schema_context(alpha.schema_name):
        editor = site_client(alpha, make_user(alpha, "scr_dict_editor", EDITOR))
    upload = io.BytesIO("类别,词语\n敏感词,编辑加的词\n".encode())
    upload.name = "terms.csv"
    response = editor.post("/admin/screening/dictionary/", {"which": "terms", "file": upload})
    assert response.status_code in (302, 403)
    with schema_context(alpha.schema_name):
        assert not ScreeningTerm.objects.filter(term="编辑加的词").exists()
