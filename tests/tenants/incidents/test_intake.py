"""Alerts feed the emergency plan (Z1): monitoring's defacement and outage alerts open a security
incident for the site concerned, and only for it; its responsible people are named and told."""

import datetime

import pytest
from django.core import mail

from federation.monitoring import probes
from federation.monitoring.models import DefacementAlert, IndicatorSetting
from security.audit.models import AuditEvent
from security.roles import WEBMASTER
from tenants.incidents.models import SecurityIncident
from tests.factories import RESPONSIBILITY, make_user, unique
from tests.federation.monitoring import servers

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings):
    """The sites' server, standing in on loopback: it changes and fails on purpose."""
    behaviour = servers.Behaviour()
    server, url = servers.start(behaviour)
    settings.MONITORING_BASE_URL = url
    settings.PROBE_ENTRY_POINTS = [("首页", "/")]
    IndicatorSetting.objects.update_or_create(
        key="availability.timeout_seconds",
        defaults=dict(label="探测超时（秒）", value=1, default=15),
    )
    yield behaviour
    server.shutdown()


def test_the_receiver_is_registered():
    from django.conf import settings

    assert "tenants.incidents.intake.from_monitoring_alert" in settings.MONITORING_ALERT_RECEIVERS


def test_a_defacement_alert_opens_an_incident_for_that_site_only(fake, alpha, beta, monkeypatch):
    monkeypatch.setattr(probes, "EXPLAIN_MARGIN", datetime.timedelta(0))
    beta.contact_email = "office@beta.example.cn"
    beta.save(update_fields=["contact_email"])
    make_user(beta, unique("wm"), role=WEBMASTER, email="webmaster@beta.example.cn")
    fake.pages[("alpha.localhost", "/")] = (200, servers.home("甲区首页"))
    fake.pages[("beta.localhost", "/")] = (200, servers.home("乙局首页"))
    probes.probe_round([alpha, beta])
    assert not SecurityIncident.objects.exists()  # a first probe has nothing to compare with

    mail.outbox.clear()
    fake.pages[("beta.localhost", "/")] = (200, servers.home("黑客到此一游"))
    probes.probe_round([alpha, beta])
    [alert] = DefacementAlert.objects.filter(website=beta)
    [incident] = SecurityIncident.objects.all()
    assert incident.website == beta and not alpha.incidents.exists()
    assert (incident.kind, incident.level, incident.status) == ("defacement", "III", "reported")
    assert incident.reference == f"monitoring.defacement:{alert.pk}"
    assert "黑客到此一游" in incident.observed and incident.reported_by == "网站监测"
    # who answered for the site when it happened, copied from the registry
    assert {k: getattr(incident, k) for k in RESPONSIBILITY} == RESPONSIBILITY
    assert incident.notified == ["office@beta.example.cn", "webmaster@beta.example.cn"]
    [notice] = mail.outbox  # the plan's notice only: monitoring's own mail would repeat it
    assert "网站安全事件" in notice.subject and incident.number in notice.body
    assert f"/admin/incidents/{incident.pk}/" in notice.body and "王主任" in notice.body
    assert "/admin/monitoring/#alerts" in notice.body  # the evidence, where 正常变更 is marked
    assert notice.to == ["office@beta.example.cn", "webmaster@beta.example.cn"]
    # the report is in the site's own audit chain
    assert AuditEvent.objects.filter(
        schema_name="beta", event_type="incident.reported", object_id=str(incident.pk)
    ).exists()
    assert not AuditEvent.objects.filter(schema_name="alpha", event_type="incident.reported")

    probes.probe_round([alpha, beta])  # the same changed page: no second alert, no second incident
    assert SecurityIncident.objects.count() == 1


def test_an_outage_opens_one_incident_per_outage(fake, alpha, beta):
    fake.pages[("*", "/")] = (200, servers.home("首页"))
    probes.probe_round([alpha, beta])
    fake.pages[("beta.localhost", "/")] = (502, "<h1>Bad Gateway</h1>")
    fake.hang.add("alpha.localhost")  # hangs past the timeout: a failure too
    probes.probe_round([alpha, beta])
    assert not SecurityIncident.objects.exists()  # one failed probe is not yet an outage
    probes.probe_round([alpha, beta])  # the second in a row (availability.outage_probes = 2)
    by_site = {i.website.schema_name: i for i in SecurityIncident.objects.all()}
    assert set(by_site) == {"alpha", "beta"}
    assert by_site["beta"].kind == "outage" and by_site["beta"].level == "IV"
    assert "HTTP 502" in by_site["beta"].observed and "超时" in by_site["alpha"].observed
    probes.probe_round([alpha, beta])  # still down: the same outage
    assert SecurityIncident.objects.count() == 2

    fake.hang.clear()
    fake.pages[("alpha.localhost", "/")] = (200, servers.home("首页"))
    probes.probe_round([alpha])  # back up, then down again twice: a new outage
    fake.hang.add("alpha.localhost")
    probes.probe_round([alpha])
    probes.probe_round([alpha])
    assert SecurityIncident.objects.filter(website=alpha).count() == 2


def test_the_streak_is_a_setting(fake, beta):
    IndicatorSetting.objects.update_or_create(
        key="availability.outage_probes",
        defaults=dict(label="连续失败次数", value=3, default=2),
    )
    fake.pages[("beta.localhost", "/")] = (500, "<h1>Server Error</h1>")
    probes.probe_round([beta])
    probes.probe_round([beta])
    assert not SecurityIncident.objects.exists()
    probes.probe_round([beta])
    assert SecurityIncident.objects.get().title == "网站首页连续 3 次探测无法访问"


def test_a_failing_receiver_does_not_stop_the_others(fake, beta, settings):
    settings.MONITORING_ALERT_RECEIVERS = [
        "tests.tenants.incidents.test_intake.broken_receiver",
        "tenants.incidents.intake.from_monitoring_alert",
    ]
    fake.pages[("beta.localhost", "/")] = (500, "<h1>Server Error</h1>")
    probes.probe_round([beta])
    probes.probe_round([beta])
    assert SecurityIncident.objects.filter(website=beta).count() == 1


def broken_receiver(alert):
    raise RuntimeError("a receiver that is down")
