"""The console: operators change the evaluation's settings (recorded, validated); a security
auditor reads them; the ranking is there too."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from federation.monitoring.models import IndicatorSetting
from security.audit.models import AuditEvent
from security.roles import CONSOLE_OPERATOR, CONSOLE_SECURITY_AUDITOR, ensure_console_roles

pytestmark = pytest.mark.django_db


def console_user(name, role):
    ensure_console_roles()
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(name, password="Long-Enough-Pass-2026")
    user.groups.add(Group.objects.get(name=role))
    client = Client(HTTP_HOST="console.localhost")
    client.force_login(user)
    return client


def test_an_operator_changes_a_threshold_and_bad_input_changes_nothing(alpha):
    client = console_user("mon_operator", CONSOLE_OPERATOR)
    page = client.get("/monitoring/settings/").content.decode()
    assert "首页超过多少天未更新即单项否决" in page and 'value="14"' in page
    response = client.post("/monitoring/settings/", {"home.veto_days": "21", "links.cap": "x"})
    assert response.status_code == 400 and "不是数字" in response.content.decode()
    assert IndicatorSetting.objects.get(key="home.veto_days").value == 14
    response = client.post("/monitoring/settings/", {"home.veto_days": "21"})
    assert response.status_code == 302
    row = IndicatorSetting.objects.get(key="home.veto_days")
    assert (row.value, row.default, row.changed_by) == (21, 14, "mon_operator")
    event = AuditEvent.objects.filter(event_type="console.evaluation_settings").latest("pk")
    assert event.changes == {"home.veto_days": ["14.00", "21"]}
    assert client.post("/monitoring/settings/", {"home.veto_days": "-3"}).status_code == 400
    assert "各网站绩效评估" in client.get("/monitoring/").content.decode()


def test_a_security_auditor_reads_but_cannot_change(alpha):
    client = console_user("mon_auditor", CONSOLE_SECURITY_AUDITOR)
    assert client.get("/monitoring/settings/").status_code == 200
    client.post("/monitoring/settings/", {"home.veto_days": "30"})
    assert IndicatorSetting.objects.get(key="home.veto_days").value == 14
    assert Client(HTTP_HOST="console.localhost").get("/monitoring/").status_code == 302
