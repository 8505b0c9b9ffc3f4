"""The emergency plan's steps in the site's admin and the console: a site's webmaster sees and
acts on its own incidents only; steps go in order, each timed, named and audited."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from security.audit.models import AuditEvent
from security.roles import (
    CONSOLE_OPERATOR,
    CONSOLE_SECURITY_AUDITOR,
    EDITOR,
    WEBMASTER,
    ensure_console_roles,
)
from tenants.incidents import services
from tenants.incidents.models import SecurityIncident
from tests.clients import site_client
from tests.factories import make_user, unique

pytestmark = pytest.mark.django_db
CONSOLE = "console.localhost"


def open_incident(website, title="首页被篡改"):
    incident, created = services.report(
        website, "defacement", title, level="III", observed="首页出现不明内容", actor="网站监测"
    )
    assert created
    return incident


def webmaster(website):
    return site_client(website, make_user(website, unique("wm"), role=WEBMASTER))


def console_client(username, *groups):
    # console accounts live in the public schema; a site request before leaves the connection
    # on that site's
    connection.set_schema_to_public()
    ensure_console_roles()
    user = get_user_model().objects.create_user(username, password="Console-Pass-2026")
    user.groups.add(*Group.objects.filter(name__in=groups))
    client = Client(HTTP_HOST=CONSOLE)
    client.force_login(user)
    return client


def test_a_webmaster_sees_only_their_own_sites_incidents(alpha, beta):
    mine = open_incident(beta, "乙局首页被篡改")
    theirs = open_incident(alpha, "甲区首页被篡改")
    client = webmaster(beta)
    listing = client.get("/admin/incidents/").content.decode()
    assert "乙局首页被篡改" in listing and "甲区首页被篡改" not in listing
    assert client.get(f"/admin/incidents/{mine.pk}/").status_code == 200
    assert client.get(f"/admin/incidents/{theirs.pk}/").status_code == 404
    response = client.post(f"/admin/incidents/{theirs.pk}/step/", {"step": "acknowledge"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "reported"
    # the dashboard's to-do list names the open incident
    dashboard = client.get("/admin/").content.decode()
    assert "网站安全事件" in dashboard and "乙局首页被篡改" in dashboard


def test_an_editor_does_not_see_incidents(beta):
    open_incident(beta)
    editor = site_client(beta, make_user(beta, unique("ed"), role=EDITOR))
    response = editor.get("/admin/incidents/")  # Wagtail turns the refusal into a redirect
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert "首页被篡改" not in editor.get("/admin/").content.decode()


def test_the_steps_in_order_with_their_times_and_people(beta):
    incident = open_incident(beta)
    client = webmaster(beta)
    url = f"/admin/incidents/{incident.pk}/step/"
    # out of order: nothing changes and the webmaster is told what comes first
    response = client.post(url, {"step": "handle", "measures": "已恢复首页"}, follow=True)
    assert "下一步是确认" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == "reported" and incident.handled_at is None

    client.post(url, {"step": "acknowledge"})
    response = client.post(url, {"step": "handle", "measures": "  "}, follow=True)
    assert "请填写处置措施" in response.content.decode()
    client.post(url, {"step": "handle", "measures": "从备份恢复首页，修改后台密码"})
    incident.refresh_from_db()
    assert incident.status == "handled"
    assert incident.reported_at <= incident.acknowledged_at <= incident.handled_at
    assert incident.acknowledged_by.startswith(f"{beta.short_name}·")
    assert incident.measures.startswith("从备份")

    # closing is the platform's: an operator in the console, not the site's webmaster
    client.post(url, {"step": "close", "conclusion": "x"})
    incident.refresh_from_db()
    assert incident.status == "handled"
    ops = console_client(unique("ops"), CONSOLE_OPERATOR)
    ops.post(
        f"/incidents/{incident.pk}/step/", {"step": "close", "conclusion": "弱口令被利用；已整改"}
    )
    incident.refresh_from_db()
    assert incident.status == "closed" and incident.closed_by.startswith("平台·")
    assert [when is not None for _, when, _, _ in incident.steps()] == [True] * 4
    trail = list(
        AuditEvent.objects.filter(schema_name="beta", object_id=str(incident.pk))
        .filter(event_type__startswith="incident.")
        .order_by("seq")
        .values_list("event_type", flat=True)
    )
    assert trail == [
        "incident.reported",
        "incident.acknowledged",
        "incident.handled",
        "incident.closed",
    ]
    with pytest.raises(ValidationError, match="已结案"):
        services.set_level(incident, "II", "平台·ops")


def test_the_console_lists_every_site_and_only_operators_act(alpha, beta):
    a, b = open_incident(alpha, "甲区事件"), open_incident(beta, "乙局事件")
    auditor = console_client(unique("aud"), CONSOLE_SECURITY_AUDITOR)
    listing = auditor.get("/incidents/").content.decode()
    assert "甲区事件" in listing and "乙局事件" in listing
    assert auditor.get(f"/incidents/{a.pk}/").status_code == 200
    response = auditor.post(f"/incidents/{a.pk}/step/", {"step": "acknowledge"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    a.refresh_from_db()
    assert a.status == "reported"

    ops = console_client(unique("ops"), CONSOLE_OPERATOR)
    ops.post(f"/incidents/{b.pk}/step/", {"step": "level", "level": "II"})
    ops.post(f"/incidents/{b.pk}/step/", {"step": "freeze"})
    b.refresh_from_db()
    beta.refresh_from_db()
    assert b.level == "II" and beta.frozen_at and b.number in beta.frozen_reason
    alpha.refresh_from_db()
    assert alpha.frozen_at is None
    response = ops.post(
        "/incidents/report/",
        {"site": "alpha", "kind": "other", "level": "IV", "title": "网信办通报：后台弱口令"},
    )
    reported = SecurityIncident.objects.get(title="网信办通报：后台弱口令")
    assert response["Location"] == f"/incidents/{reported.pk}/"
    assert reported.website == alpha and reported.source == "console"
    response = ops.post("/incidents/report/", {"site": "nosuch", "kind": "x"}, follow=True)
    assert "请选择网站" in response.content.decode()


def test_the_demo_incident_is_handled_and_made_once(beta):
    from tenants.incidents import demo

    assert demo.seed(schema="beta")["incident"]
    assert demo.seed(schema="beta") == {}  # a second run adds nothing
    [incident] = SecurityIncident.objects.filter(website=beta)
    assert incident.status == "handled" and incident.measures
    assert demo.seed(schema="no-such-site") == {}
