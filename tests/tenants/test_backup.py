"""Backup and restore round trip (Z2): pg_dump of the schema + public rows + media, restored
beside the live site under another name, compared table by table and page by page."""

import datetime
import io
import shutil
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context

from security.audit.models import AuditEvent
from tenants import backup, services
from tenants.models import Domain, Website
from tests.factories import RESPONSIBILITY


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """pg_dump runs in another process: it sees only committed data."""
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


def _drop(schema):
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    Domain.objects.filter(tenant__schema_name=schema).delete()
    Website.objects.filter(schema_name=schema).delete()


def _content(schema):
    from wagtail.images.models import Image

    from sites.core.models import ArticlePage

    with schema_context(schema):
        pages = sorted(
            (p.title, p.live, p.url_path, str(p.body.raw_data)) for p in ArticlePage.objects.all()
        )
        images = {}
        for image in Image.objects.all():
            with image.file.open("rb") as handle:
                images[image.title] = handle.read()
    connection.set_schema_to_public()
    return pages, images


def test_backup_and_restore_round_trip(committed, tmp_path, settings):
    settings.BACKUP_DIR = tmp_path
    tag = uuid.uuid4().hex[:6]
    schema, copy_schema = f"bk{tag}", f"bk{tag}_copy"
    try:
        result = services.provision_site(
            kind="district",
            legal_name="备份测试区人民政府",
            short_name="备份区",
            domain=f"{schema}.localhost",
            schema_name=schema,
            webmaster_password="Backup-Webmaster-2026",
            **RESPONSIBILITY,
        )
        from PIL import Image as PILImage
        from wagtail.images.models import Image

        from sites.core.models import ArticlePage, ColumnPage

        with schema_context(schema):
            column = ColumnPage.objects.get(slug="gzdt")
            for i in range(3):
                article = column.add_child(
                    instance=ArticlePage(
                        title=f"备份文章{i}",
                        date=datetime.date.today(),
                        summary="摘要",
                        body=[("paragraph", f"<p>正文 {i}</p>")],
                    )
                )
                article.save_revision().publish()
            buffer = io.BytesIO()
            PILImage.new("RGB", (8, 8), "blue").save(buffer, "PNG")
            Image.objects.create(
                title="备份图片", file=ContentFile(buffer.getvalue(), name="backup.png")
            )
        connection.set_schema_to_public()
        before = _content(schema)
        counts_before = backup.table_counts(schema)

        call_command("backup_site", schema)
        archives = list(tmp_path.glob(f"{schema}-*.tar.gz"))
        assert len(archives) == 1

        call_command(
            "restore_site",
            str(archives[0]),
            as_schema=copy_schema,
            domain=f"bk{tag}-copy.localhost",
        )
        restored = services.get_site(copy_schema)
        assert restored.status == "suspended" and restored.legal_name == result.website.legal_name
        assert restored.responsible_leader == RESPONSIBILITY["responsible_leader"]
        assert restored.primary_domain == f"bk{tag}-copy.localhost"
        assert backup.table_counts(copy_schema) == counts_before
        assert _content(copy_schema) == before
        # the live site is untouched
        assert _content(schema) == before
        with schema_context(copy_schema):
            from wagtail.models import Site

            assert Site.objects.get().hostname == f"bk{tag}-copy.localhost"
        connection.set_schema_to_public()
        kinds = set(
            AuditEvent.objects.filter(
                schema_name="public", object_repr=result.website.legal_name
            ).values_list("event_type", flat=True)
        )
        assert {"console.backup", "console.restore"} <= kinds

        # Disaster: the site is gone entirely; restore under its own name.
        _drop(schema)
        shutil.rmtree(backup._media_dir(schema), ignore_errors=True)
        call_command("restore_site", str(archives[0]))
        assert services.get_site(schema).status == "active"
        assert services.get_site(schema).primary_domain == f"{schema}.localhost"
        assert _content(schema) == before

        # A tampered archive is refused.
        broken = tmp_path / "broken.tar.gz"
        broken.write_bytes(archives[0].read_bytes()[:-200])
        with pytest.raises(CommandError):
            call_command("restore_site", str(broken), as_schema=f"bk{tag}_x")
        with pytest.raises(CommandError, match="已存在"):
            call_command("restore_site", str(archives[0]))
    finally:
        for name in (schema, copy_schema):
            _drop(name)
            shutil.rmtree(backup._media_dir(name), ignore_errors=True)


def test_an_archive_whose_content_was_changed_is_refused(tmp_path):
    import hashlib
    import json
    import tarfile

    work = tmp_path / "parts"
    work.mkdir()
    (work / "schema.sql").write_text("CREATE SCHEMA evil;")
    (work / "public.json").write_text("{}")
    manifest = {
        "format": backup.FORMAT_VERSION,
        "schema": "evil",
        "table_counts": {},
        "files": {
            "schema.sql": hashlib.sha256(b"CREATE SCHEMA good;").hexdigest(),
            "public.json": hashlib.sha256(b"{}").hexdigest(),
        },
    }
    (work / "manifest.json").write_text(json.dumps(manifest))
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for item in work.iterdir():
            tar.add(item, arcname=item.name)
    with pytest.raises(backup.BackupError, match="schema.sql"):
        backup.restore_site(archive)
    with pytest.raises(backup.BackupError, match="找不到"):
        backup.restore_site(tmp_path / "missing.tar.gz")
