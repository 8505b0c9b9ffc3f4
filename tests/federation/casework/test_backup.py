"""A site's cases travel in its backup (backup_site / restore_site, SITE_BACKUP_PARTS): the
site is lost with its cases, restored from its archive, and its cases are back — files,
query codes and all — while another site's tasks are not touched."""

import shutil
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from federation.casework import services, storage
from federation.casework.models import Case, CaseAttachment, CaseStep, CaseTask, TaskStatus
from tenants import backup
from tenants import services as sites
from tenants.models import Domain, Website
from tests.factories import RESPONSIBILITY

from .factories import open_test_case, pdf


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """pg_dump and psql run in other processes: they see only committed data."""
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


def _parts(case):
    """What a user would see of a case: each department's part and the files."""
    case = Case.objects.get(number=case.number)
    tasks = sorted(
        (t.site.schema_name, t.role, t.status, t.deadline)
        for t in case.tasks.select_related("site")
    )
    files = sorted(
        (a.name, a.sha256, storage.path_of(a).read_bytes() != b"") for a in case.attachments.all()
    )
    steps = sorted(
        (s.action, s.site.schema_name if s.site else "", s.note) for s in case.steps.all()
    )
    return case.status, case.applicant, tasks, files, steps


def _lose(website):
    """The disaster: the site and everything of it in the public schema are gone."""
    for case in Case.objects.filter(lead_site=website):
        storage.delete_case_files(case)
    Case.objects.filter(lead_site=website).delete()
    for attachment in CaseAttachment.objects.filter(site=website):
        storage.path_of(attachment).unlink()
    CaseAttachment.objects.filter(site=website).delete()
    CaseTask.objects.filter(site=website).delete()
    CaseStep.objects.filter(site=website).delete()
    _drop(website.schema_name)


def _drop(schema):
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    Domain.objects.filter(tenant__schema_name=schema).delete()
    Website.objects.filter(schema_name=schema).delete()


def test_a_lost_site_s_cases_come_back_with_its_backup(committed, tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.CASEWORK_FILES_ROOT = tmp_path / "casework"
    schema = f"cb{uuid.uuid4().hex[:6]}"
    beta = sites.get_site("beta")
    made = []
    try:
        site = sites.provision_site(
            kind="department",
            legal_name="备份测试局",
            short_name="备份局",
            domain=f"{schema}.localhost",
            schema_name=schema,
            webmaster_password="Backup-Webmaster-2026",
            **RESPONSIBILITY,
        ).website
        # Its own case with beta in parallel, with the applicant's file.
        led, code = open_test_case(site, [beta], attachments=[("身份证明", pdf())])
        services.accept(led, site)
        services.accept(led, beta)
        # Beta's case with this site in parallel; this site answered with a file of its own.
        shared, _ = open_test_case(beta, [site])
        services.accept(shared, site)
        services.answer(shared, site, note="同意", files=[pdf("审查意见.pdf")])
        # Beta's case alone.
        other, _ = open_test_case(beta)
        services.accept(other, beta)
        made = [led.number, shared.number, other.number]
        before = {case.number: _parts(case) for case in (led, shared, other)}
        beta_task = CaseTask.objects.get(case=shared, site=beta)

        call_command("backup_site", schema)
        (archive,) = settings.BACKUP_DIR.glob(f"{schema}-*.tar.gz")
        _lose(site)
        assert not Case.objects.filter(number=led.number).exists()
        assert not CaseTask.objects.filter(case=shared).exclude(site=beta).exists()

        call_command("restore_site", str(archive))
        restored = sites.get_site(schema)
        assert restored.pk != site.pk  # a new registry row: sites are named by schema
        for case in (led, shared, other):
            assert _parts(case) == before[case.number], case.number
        # The applicant's number and code open the restored case; the handler carries on.
        back = services.find_case(led.number, code)
        assert back is not None and back.lead_site == restored
        services.answer(back, beta, note="同意")
        services.complete(back, restored, note="准予")
        # Beta's own task on the shared case is the same row, untouched.
        again = CaseTask.objects.get(case=shared, site=beta)
        assert (again.pk, again.updated_at, again.status) == (
            beta_task.pk,
            beta_task.updated_at,
            TaskStatus.PENDING,
        )
        assert CaseTask.objects.filter(case=shared).count() == 2

        # A copy restored beside the live site for inspection handles nothing.
        copy = backup.restore_site(
            archive, as_schema=f"{schema}_copy", domain=f"{schema}-c.localhost"
        )
        assert not CaseTask.objects.filter(site=copy).exists()
        assert CaseTask.objects.filter(case=shared).count() == 2
    finally:
        for case in Case.objects.filter(number__in=made):
            storage.delete_case_files(case)
        Case.objects.filter(number__in=made).delete()
        for name in (schema, f"{schema}_copy"):
            _drop(name)
            shutil.rmtree(backup._media_dir(name), ignore_errors=True)
