"""The audit trail: events recorded, append-only in the ORM and the database, tamper evident."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from security.audit import services
from security.audit.models import AuditEvent, AuditImmutableError
from security.roles import EDITOR, REVIEWER
from tenants import services as tenant_services
from tests.clients import site_client, verify_session
from tests.factories import PASSWORD, make_user


def new_events(since_id, schema=None):
    events = AuditEvent.objects.filter(id__gt=since_id)
    if schema:
        events = events.filter(schema_name=schema)
    return list(events.order_by("id"))


def last_id():
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.mark.django_db
def test_sign_in_events_carry_who_when_site_and_ip(alpha):
    start = last_id()
    client = site_client(alpha, REMOTE_ADDR="10.1.2.3")
    client.post("/admin/login/", {"username": "webmaster", "password": "wrong-password-123"})
    client.post("/admin/login/", {"username": "webmaster", "password": PASSWORD})
    client.post("/admin/logout/")
    events = new_events(start, "alpha")
    kinds = [e.event_type for e in events]
    assert kinds[:1] == ["auth.login_failed"] and "auth.login" in kinds and "auth.logout" in kinds
    login = next(e for e in events if e.event_type == "auth.login")
    assert login.actor == "webmaster" and login.ip == "10.1.2.3" and login.realm == "site"
    assert login.site_name == alpha.legal_name and login.created_at <= timezone.now()


@pytest.mark.django_db
def test_user_permission_settings_and_content_events(alpha, webmaster):
    from django.contrib.auth.models import Group, Permission
    from wagtail.actions.delete_page import DeletePageAction
    from wagtail.models import GroupPagePermission, Page, Task, Workflow, WorkflowTask

    from sites.core.models import ArticlePage, ColumnPage, SiteIdentity

    start = last_id()
    editor = make_user(alpha, "audit-editor", EDITOR)
    reviewer = make_user(alpha, "audit-reviewer", REVIEWER)
    with schema_context("alpha"):
        editor.email = "editor@example.gov.cn"
        editor.set_password("Another-Long-Pass-77")
        editor.save()
        group = Group.objects.create(name="临时角色")
        group.permissions.add(Permission.objects.get(codename="access_admin"))
        GroupPagePermission.objects.create(
            group=group,
            page=Page.objects.get(depth=2),
            permission=Permission.objects.get(codename="change_page"),
        )
        identity = SiteIdentity.objects.get()
        identity.footer_note = "建议使用最新浏览器"
        identity.save()

        column = ColumnPage.objects.get(slug="gzdt")
        article = column.add_child(
            instance=ArticlePage(title="审计测试文章", date=datetime.date.today())
        )
        article.save_revision(user=webmaster).publish(user=webmaster)
        article.refresh_from_db()
        article.unpublish(user=webmaster)
        workflow = Workflow.objects.create(name="审计测试流程")
        from wagtail.models import GroupApprovalTask

        task = GroupApprovalTask.objects.create(name="审核")
        task.groups.add(Group.objects.get(name=REVIEWER))
        WorkflowTask.objects.create(
            workflow=workflow, task=Task.objects.get(pk=task.pk), sort_order=0
        )
        state = workflow.start(article, webmaster)
        state.refresh_from_db()
        task_state = state.current_task_state
        # decided by a member of the step's group (sites.disclosure.decisions)
        task_state.task.specific.on_action(task_state, reviewer, "approve")
        DeletePageAction(Page.objects.get(pk=article.pk), user=webmaster).execute()
        user_id = editor.pk
        editor.delete()
    services.record(
        "syndication.offer",
        schema_name="alpha",
        object_repr="审计测试文章",
        changes={"to": "portal"},
    )
    tenant_services.set_status(alpha, "suspended")
    tenant_services.set_status(alpha, "active")

    events = new_events(start, "alpha")
    kinds = {e.event_type for e in events}
    expected = {
        "user.create",
        "user.change",
        "user.groups",
        "user.delete",
        "group.create",
        "group.permissions",
        "permission.page",
        "settings.change",
        "page.publish",
        "page.unpublish",
        "page.delete",
        "workflow.start",
        "workflow.approve",
        "syndication.offer",
        "console.site_status",
    }
    assert expected <= kinds, expected - kinds
    change = next(
        e for e in events if e.event_type == "user.change" and e.object_id == str(user_id)
    )
    assert change.changes["email"] == ["", "editor@example.gov.cn"]
    assert change.changes["password"] == "changed" and "pbkdf2" not in str(change.changes)
    setting = next(e for e in events if e.event_type == "settings.change")
    assert setting.changes["footer_note"] == ["", "建议使用最新浏览器"]
    publish = next(e for e in events if e.event_type == "page.publish")
    assert publish.actor == "webmaster" and publish.object_repr == "审计测试文章"
    # console operations are in the console's own trail too
    assert {"console.site_status"} <= {e.event_type for e in new_events(start, "public")}


@pytest.mark.django_db
def test_records_cannot_be_changed_or_deleted_through_the_orm(alpha):
    event = services.record("auth.login", schema_name="alpha", actor="someone")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(actor="nobody")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditImmutableError):
        event.actor = "nobody"
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.bulk_create([AuditEvent(schema_name="alpha", seq=999999, hash="x")])


@pytest.mark.django_db
def test_the_database_refuses_sql_update_delete_and_truncate(alpha):
    event = services.record("auth.login", schema_name="alpha", actor="someone")
    for statement in (
        f"UPDATE audit_auditevent SET actor = 'x' WHERE id = {event.pk}",  # noqa: S608
        f"DELETE FROM audit_auditevent WHERE id = {event.pk}",  # noqa: S608
        "TRUNCATE audit_auditevent",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    # …even with the purge flag on: the row is younger than 184 days.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jiyue.audit_purge = 'on'")
        cursor.execute(f"DELETE FROM audit_auditevent WHERE id = {event.pk}")  # noqa: S608


@pytest.mark.django_db
def test_a_row_altered_in_sql_is_detected(alpha, capsys):
    chain = "tamper_test"
    events = [services.record("auth.login", schema_name=chain, actor=f"user{i}") for i in range(4)]
    call_command("verify_audit", chain)
    assert "OK" in capsys.readouterr().out
    with connection.cursor() as cursor:
        # An attacker with the table owner's rights switches the guard off first.
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only_rows")
        cursor.execute(
            "UPDATE audit_auditevent SET actor = 'innocent' WHERE id = %s", [events[1].pk]
        )
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only_rows")
    report = services.verify_chain(chain)

    def at(seq):
        return " ".join(problem for s, problem in report.problems if s == seq)

    assert "altered" in at(2)
    assert "missing" in at(4) and "broken" in at(4)
    with pytest.raises(CommandError, match="tampering"):
        call_command("verify_audit", chain)
    # The other chains are untouched and still verify.
    assert services.verify_chain("alpha").ok


@pytest.mark.django_db
def test_purge_refuses_young_records_and_keeps_an_anchor(monkeypatch, alpha):
    with pytest.raises(CommandError, match="184"):
        call_command("purge_audit", days=30)
    old = timezone.now() - datetime.timedelta(days=200)
    monkeypatch.setattr(services, "now", lambda: old)
    for i in range(3):
        services.record("auth.login", schema_name="purge_test", actor=f"old{i}")
    monkeypatch.undo()
    services.record("auth.login", schema_name="purge_test", actor="recent")
    young_alpha = AuditEvent.objects.filter(schema_name="alpha").count()
    removed = services.purge(184)
    assert removed == {"purge_test": 3}
    remaining = list(AuditEvent.objects.filter(schema_name="purge_test").order_by("seq"))
    assert [e.actor for e in remaining][:1] == ["recent"]
    assert remaining[-1].event_type == "console.audit_purge"
    assert services.verify_chain("purge_test").ok
    assert AuditEvent.objects.filter(schema_name="alpha").count() >= young_alpha


@pytest.mark.django_db
def test_site_auditor_sees_own_trail_and_exports_csv(alpha, beta):
    from security.roles import AUDITOR

    services.record("page.publish", schema_name="alpha", object_repr="甲区专属文章")
    services.record("page.publish", schema_name="beta", object_repr="乙局专属文章")
    auditor = make_user(alpha, "alpha-auditor", AUDITOR)
    client = site_client(alpha, auditor)
    page = client.get("/admin/security/audit/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "甲区专属文章" in text and "乙局专属文章" not in text
    export = client.get("/admin/security/audit/?format=csv&event=page.publish")
    body = export.content.decode("utf-8-sig")
    assert export["Content-Type"].startswith("text/csv")
    assert "甲区专属文章" in body and "乙局专属文章" not in body
    assert AuditEvent.objects.filter(schema_name="alpha", event_type="audit.export").exists()


@pytest.mark.django_db
def test_console_security_auditor_sees_every_site(alpha, beta):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from security.roles import CONSOLE_SECURITY_AUDITOR

    services.record("page.publish", schema_name="alpha", object_repr="甲区专属文章")
    services.record("page.publish", schema_name="beta", object_repr="乙局专属文章")
    user_model = get_user_model()
    auditor = user_model.objects.create_user("sec-auditor", password="Long-Enough-Pass-2026")
    auditor.groups.add(Group.objects.get(name=CONSOLE_SECURITY_AUDITOR))
    operator = user_model.objects.create_user(
        "operator1", password="Long-Enough-Pass-2026", is_staff=True
    )
    client = Client(HTTP_HOST="console.localhost")
    client.force_login(auditor)
    verify_session(client, auditor)  # auditors give a second factor, like operators
    text = client.get("/audit/").content.decode()
    assert "甲区专属文章" in text and "乙局专属文章" in text
    csv_body = client.get("/audit/?format=csv&site=beta").content.decode("utf-8-sig")
    assert "乙局专属文章" in csv_body and "甲区专属文章" not in csv_body
    # responsibility register: readable by the auditor
    register = client.get("/sites/responsibility/").content.decode()
    assert "王主任" in register and "乌海市大数据中心" in register
    # an operator without the auditor role cannot read the trail (after 2FA, they get 403)
    op_client = Client(HTTP_HOST="console.localhost")
    op_client.force_login(operator)
    verify_session(op_client, operator)
    assert op_client.get("/audit/").status_code == 403


@pytest.mark.django_db
def test_the_daily_check_records_its_outcome_and_the_console_shows_tampering(alpha, caplog):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from config.celery import app
    from security.audit import tasks
    from security.roles import CONSOLE_SECURITY_AUDITOR

    entry = settings.CELERY_BEAT_SCHEDULE["audit-verify-chains"]
    assert entry["task"] in app.tasks and entry["schedule"] <= 86400
    auditor = get_user_model().objects.create_user("sec-auditor2", password="Long-Enough-Pass-2026")
    auditor.groups.add(Group.objects.get(name=CONSOLE_SECURITY_AUDITOR))
    console = Client(HTTP_HOST="console.localhost")
    console.force_login(auditor)
    verify_session(console, auditor)

    chain = "daily_check_test"
    events = [services.record("auth.login", schema_name=chain, actor=f"user{i}") for i in range(3)]
    assert tasks.verify_chains.apply(kwargs={"min_interval_hours": 0}).get()["broken"] == []
    assert "skipped" in tasks.verify_chains.apply().get()  # a restart does not check again
    latest = services.latest_verification()
    assert latest.changes["broken"] == {} and latest.changes["chains"] >= 2
    assert "全部完整" in console.get("/audit/").content.decode()

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only_rows")
        cursor.execute(
            "UPDATE audit_auditevent SET actor = 'innocent' WHERE id = %s", [events[1].pk]
        )
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only_rows")
    with caplog.at_level("CRITICAL", logger="jiyue.audit"):
        assert tasks.verify_chains.apply(kwargs={"min_interval_hours": 0}).get()["broken"] == [
            chain
        ]
    assert chain in caplog.text
    latest = services.latest_verification()
    assert "altered" in " ".join(latest.changes["broken"][chain])
    page = console.get("/audit/").content.decode()
    assert "发现篡改" in page and chain in page
    # The outcome is itself a record of the console's chain, which still verifies.
    assert latest.schema_name == "public" and services.verify_chain("public").ok
