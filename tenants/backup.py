"""Per-site backup and restore (Z2): one archive = the site's schema, its public rows, its media.

The schema is dumped with pg_dump (the embedded server's own binaries when no DATABASE_URL
is set, so client and server versions match) and restored with psql in one transaction.
Restoring under another schema name renames inside that transaction, so a copy can be
restored beside the live site for inspection.

What apps above this layer keep of a site in the public schema (its cases) travels in the same
archive through `SITE_BACKUP_PARTS`: import paths of modules with
`backup(website, folder) -> dict` and `restore(website, folder, *, from_schema, copy) -> dict`
(this layer names none of them). Each writes under `parts/<module path>/`, covered by the
manifest's checksums like the rest; each restores inside the registry's transaction.
"""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import zlib
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists
from wagtail.models import Site

from security.audit.models import AuditEvent
from security.audit.services import record
from tenants.models import Domain, Website
from tenants.services import get_site, validate_new_site

FORMAT_VERSION = 1
PARTS_DIR = "parts"


class BackupError(Exception):
    """Backup or restore refused or failed: the message says why."""


def pg_tool(name: str) -> str:
    """pg_dump/psql matching the server: PG_BIN_DIR, else the embedded server's, else PATH."""
    if os.environ.get("PG_BIN_DIR"):
        return str(Path(os.environ["PG_BIN_DIR"]) / name)
    if not os.environ.get("DATABASE_URL"):
        from pgserver._commands import POSTGRES_BIN_PATH  # only the embedded server has it

        return str(POSTGRES_BIN_PATH / name)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install the PostgreSQL client or set PG_BIN_DIR.")
    return found


def _pg_env() -> dict:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(db.get("HOST") or ""),
            "PGPORT": str(db.get("PORT") or ""),
            "PGUSER": str(db.get("USER") or ""),
            "PGPASSWORD": str(db.get("PASSWORD") or ""),
            "PGDATABASE": str(db["NAME"]),
        }
    )
    return {k: v for k, v in env.items() if v != "" or not k.startswith("PG")}


def _run(args: list[str]) -> None:
    result = subprocess.run(args, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()[-2000:]}")


def _media_dir(schema: str) -> Path:
    return Path(settings.MEDIA_ROOT) / (settings.MULTITENANT_RELATIVE_MEDIA_ROOT % schema)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def table_counts(schema: str) -> dict[str, int]:
    """Rows per table of a schema: what a restore is compared by."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY 1",
            [schema],
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            # Names come from the catalogue, quoted: not user input.
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def backup_site(schema_name: str, out_dir: Path | None = None) -> Path:
    website = get_site(schema_name)
    out_dir = Path(out_dir or settings.BACKUP_DIR)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    archive = out_dir / f"{schema_name}-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        _run(
            [
                pg_tool("pg_dump"),
                f"--schema={schema_name}",
                "--no-owner",
                "--no-privileges",
                "--format=plain",
                f"--file={work / 'schema.sql'}",
            ]
        )
        public = {
            "website": json.loads(serializers.serialize("json", [website])),
            "domains": json.loads(
                serializers.serialize("json", Domain.objects.filter(tenant=website))
            ),
            "parent_schema": website.parent.schema_name if website.parent_id else None,
        }
        (work / "public.json").write_text(json.dumps(public, ensure_ascii=False, indent=1))
        audit_rows = serializers.serialize(
            "json", AuditEvent.objects.filter(schema_name=schema_name).order_by("seq")
        )
        (work / "audit.json").write_text(audit_rows)
        media = _media_dir(schema_name)
        if media.exists():
            shutil.copytree(media, work / "media")
        parts = {
            path: _part(path).backup(website, work / PARTS_DIR / path)
            for path in settings.SITE_BACKUP_PARTS
        }
        files = {
            str(p.relative_to(work)): _sha256(p) for p in sorted(work.rglob("*")) if p.is_file()
        }
        manifest = {
            "format": FORMAT_VERSION,
            "schema": schema_name,
            "legal_name": website.legal_name,
            "created_at": timezone.now().isoformat(),
            "table_counts": table_counts(schema_name),
            "parts": parts,
            "files": files,
        }
        (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        with tarfile.open(archive, "w:gz") as tar:
            for item in sorted(work.iterdir()):
                tar.add(item, arcname=item.name)
    for chain in ("public", schema_name):
        record(
            "console.backup",
            schema_name=chain,
            obj=website,
            changes={"archive": archive.name, "bytes": archive.stat().st_size, "parts": parts},
        )
    return archive


def _part(path: str):
    """A module of SITE_BACKUP_PARTS (an app above this layer, named by settings only)."""
    return import_module(path)


def _safe_extract(archive: Path, into: Path) -> None:
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(into, filter="data")  # refuses absolute paths, .., links out of the tree


def read_manifest(work: Path) -> dict:
    manifest_path = work / "manifest.json"
    if not manifest_path.exists():
        raise BackupError("不是网站备份文件：缺少 manifest.json (not a backup_site archive).")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"备份格式 {manifest.get('format')} 不受支持。")
    for name, digest in manifest["files"].items():
        path = work / name
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(f"备份文件已损坏或被改动：{name} (checksum mismatch).")
    return manifest


def restore_site(archive: Path, as_schema: str | None = None, domain: str | None = None) -> Website:
    """Bring a site back from `archive`, as its own schema or as `as_schema` beside it.

    A copy restored under a new name starts suspended, with no site code and only the
    domain given: it is for inspection until an operator activates it.
    """
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"找不到备份文件 {archive}。")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        try:
            _safe_extract(archive, work)
        except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
            raise BackupError(f"无法读取备份文件：{exc}") from None
        manifest = read_manifest(work)
        original = manifest["schema"]
        target = as_schema or original
        public = json.loads((work / "public.json").read_text())
        saved = public["website"][0]["fields"]
        restored_domain = domain or (None if target != original else _first_domain(public))
        try:
            validate_new_site(
                kind=saved["kind"],
                domain=restored_domain or "restore-placeholder.gov.cn",
                schema_name=target,
            )
        except Exception as exc:
            messages = getattr(exc, "message_dict", {"": [str(exc)]})
            raise BackupError(
                "不能恢复：" + "; ".join(" ".join(v) for v in messages.values())
            ) from None
        copy = target != original
        sql = str(work / "schema.sql")
        if not copy:
            _run([pg_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f", sql])
        elif schema_exists(original):
            hold = f"{original}__restore_hold"
            _run(
                [
                    pg_tool("psql"),
                    "-X",
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-1",
                    "-c",
                    f'ALTER SCHEMA "{original}" RENAME TO "{hold}"',
                    "-f",
                    sql,
                    "-c",
                    f'ALTER SCHEMA "{original}" RENAME TO "{target}"',
                    "-c",
                    f'ALTER SCHEMA "{hold}" RENAME TO "{original}"',
                ]
            )
        else:
            _run(
                [
                    pg_tool("psql"),
                    "-X",
                    "-q",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-1",
                    "-f",
                    sql,
                    "-c",
                    f'ALTER SCHEMA "{original}" RENAME TO "{target}"',
                ]
            )
        try:
            website, parts = _restore_registry(
                saved, public, target, copy, restored_domain, work, original
            )
        except Exception:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{target}" CASCADE')
            raise
        media = work / "media"
        if media.exists():
            dest = _media_dir(target)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(media, dest, dirs_exist_ok=True)
    for chain in ("public", target):
        record(
            "console.restore",
            schema_name=chain,
            obj=website,
            changes={
                "archive": archive.name,
                "from_schema": original,
                "as_schema": target,
                "parts": parts,
            },
        )
    return website


def _first_domain(public) -> str | None:
    domains = sorted(public["domains"], key=lambda d: not d["fields"]["is_primary"])
    return domains[0]["fields"]["domain"] if domains else None


@transaction.atomic
def _restore_registry(
    saved: dict, public: dict, target: str, copy: bool, domain: str | None, work: Path, original
) -> tuple[Website, dict]:
    # The serializer knows each field's type (the languages array, dates): let it rebuild.
    website = next(serializers.deserialize("json", json.dumps(public["website"]))).object
    website.pk = None
    website.schema_name = target
    # The role definitions the archived schema's groups were ensured with; an archive made
    # before they were recorded says none, and the next setup_platform ensures its roles.
    website.roles_fingerprint = public["website"][0]["fields"].get("roles_fingerprint", "")
    website.parent = Website.objects.filter(schema_name=public.get("parent_schema") or "").first()
    if copy:
        website.site_code = ""
        website.status = Website.Status.SUSPENDED
    website.save()
    if copy:
        if domain:
            Domain.objects.create(domain=domain, tenant=website, is_primary=True)
    else:
        for row in public["domains"]:
            Domain.objects.create(
                domain=row["fields"]["domain"],
                tenant=website,
                is_primary=row["fields"]["is_primary"],
            )
    if domain:
        with schema_context(target):
            Site.objects.update(hostname=domain)
        connection.set_schema_to_public()
    return website, _restore_parts(website, work, original, copy)


def _restore_parts(website: Website, work: Path, original: str, copy: bool) -> dict:
    """Each configured part restores what the archive holds of it (an archive made before a
    part existed has none: said, not an error)."""
    results = {}
    for path in settings.SITE_BACKUP_PARTS:
        folder = work / PARTS_DIR / path
        if not folder.is_dir():
            results[path] = {"skipped": "备份中没有这部分数据"}
            continue
        results[path] = _part(path).restore(website, folder, from_schema=original, copy=copy)
    held = work / PARTS_DIR
    for folder in sorted(held.iterdir()) if held.is_dir() else ():
        if folder.name not in results:
            results[folder.name] = {"skipped": "本平台未配置这部分数据的恢复（SITE_BACKUP_PARTS）"}
    return results
