"""A database made by the code before the floor plan (issue 12) upgrades with `setup_platform`.

The old code is taken from git (`git archive`), run in a subprocess against a database of its
own on the test server: it migrates, provisions a portal and a district, publishes an article,
enrols a webmaster's authenticator. Then this code's `setup_platform` migrates the same
database, and a second subprocess checks, with this code, that nothing was lost: the sites
serve, the library and the search index still hold the article, the authenticator still
accepts its codes, every audit chain verifies, and a new site can still be provisioned.
"""

import json
import os
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# The last commit of main before the floor plan of issue 12 (layout, layers, django-otp…).
BEFORE = "17fa7b000fc1c21c4762cac4caee111a4fc27d41"
DATABASE = "jiyue_upgrade_check"

OLD_SEED = """
import json
from django.db import connection
from django_tenants.utils import schema_context
from tenants import services
from sites.security import totp, twofactor
from sites.core.models import ArticlePage, ColumnPage
from django.contrib.auth import get_user_model
import config

responsibility = dict(responsible_leader="王主任", responsible_leader_phone="0473-1", operator_unit="办公室",
                      operator_contact="李工", operator_contact_phone="0473-2")
portal = services.provision_site(kind="portal", legal_name="升级前的门户", short_name="门户",
    domain="upgportal.localhost", schema_name="upgportal", webmaster_password="Upgrade-Pass-2026",
    site_code="1503009991", **responsibility).website
district = services.provision_site(kind="district", legal_name="升级前的区政府", short_name="某区",
    domain="upgdist.localhost", schema_name="upgdist", webmaster_password="Upgrade-Pass-2026",
    site_code="1503009992", **responsibility).website
with schema_context("upgdist"):
    column = ColumnPage.objects.get(slug="gzdt")
    page = ArticlePage(title="升级前发布的道路维修通知", slug="before-upgrade", date="2026-12-01",
                       body=[("paragraph", "<p>城区道路维修工程今日启动。</p>")])
    column.add_child(instance=page)
    page.save_revision().publish()
    user = get_user_model().objects.get(username="webmaster")
    secret = totp.new_secret()
    codes = twofactor.enrol(user, secret, totp.code_at(secret))
connection.set_schema_to_public()
print("OLD-CODE " + json.dumps({"config": config.__file__, "secret": secret, "codes": codes,
                                 "page_key": f"upgdist:{page.translation_key}"}))
"""

NEW_CHECK = """
import json, time
from django.contrib.auth import get_user_model
from django.test import Client
from django_tenants.utils import schema_context
from federation.library.models import LibraryItem
from federation.search.models import SearchDocument
from security import twofactor
from security.audit.services import verify_all
from tenants import services
import config

given = json.loads(GIVEN)
result = {"config": config.__file__}
result["home"] = Client().get("/", HTTP_HOST="upgdist.localhost").status_code
result["portal_home"] = Client().get("/", HTTP_HOST="upgportal.localhost").status_code
item = LibraryItem.objects.get(item_key=given["page_key"])
result["item_current"] = not item.withdrawn
result["indexed"] = SearchDocument.objects.filter(item=item).exists()
result["search"] = Client().get("/api/search/", {"q": "道路维修"}, HTTP_HOST="upgdist.localhost").json()["total"]
result["chains_ok"] = all(report.ok for report in verify_all())
with schema_context("upgdist"):
    user = get_user_model().objects.get(username="webmaster")
    result["recovery_code"] = twofactor.verify(user, given["codes"][0]).kind
    # The authenticator's next code (this step's was used at enrolment: never accepted twice),
    # as the phone computes it from the secret it was given before the upgrade.
    import base64
    from django_otp.oath import TOTP
    phone = TOTP(base64.b32decode(given["secret"]))
    phone.time = time.time() + 30
    result["authenticator"] = twofactor.verify(user, f"{phone.token():06d}").kind
new = services.provision_site(kind="department", legal_name="升级后新开的局", short_name="新局",
    domain="upgnew.localhost", schema_name="upgnew", webmaster_password="Upgrade-Pass-2026",
    responsible_leader="王主任", responsible_leader_phone="0473-1", operator_unit="办公室",
    operator_contact="李工", operator_contact_phone="0473-2").website
result["new_site_home"] = Client().get("/", HTTP_HOST="upgnew.localhost").status_code
print("NEW-CODE " + json.dumps(result))
"""


def database_url(name: str) -> str:
    s = connection.settings_dict
    host = (
        quote(s["HOST"], safe="")
        if s["HOST"].startswith("/")
        else f"{s['HOST']}:{s.get('PORT') or 5432}"
    )
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{host}/{name}"


def recreate(name: str, drop_only: bool = False) -> None:
    with connection._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop_only:
            cursor.execute(f'CREATE DATABASE "{name}"')


def run(code_dir: Path, args: list[str], env: dict, marker: str | None = None) -> dict | None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=code_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, (
        f"{code_dir.name} {args[0]} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    )
    if marker is None:
        return None
    line = next(line for line in result.stdout.splitlines() if line.startswith(marker))
    return json.loads(line[len(marker) + 1 :])


@pytest.fixture
def old_code(tmp_path):
    """The code as it was before the floor plan, checked out of git into a temporary folder."""
    # A partial clone fetches missing objects from its remote, which a machine without the
    # internet may never answer: bounded, and never a prompt for credentials.
    try:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", BEFORE],
            cwd=ROOT,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
            capture_output=True,
            check=False,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"git could not give commit {BEFORE[:10]} within 120 s (a partial clone?)")
    if archive.returncode != 0:
        pytest.skip(
            f"commit {BEFORE[:10]} is not in this clone (a shallow clone?): "
            f"{archive.stderr.decode()[-300:]}"
        )
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(tmp_path / "old", filter="data")
    return tmp_path / "old"


# The slowest tests: about 4 min on a loaded 2-core machine (the default bound is 600 s).
@pytest.mark.timeout(1200)
def test_a_database_made_before_the_floor_plan_upgrades_with_setup_platform(old_code):
    recreate(DATABASE)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(DATABASE),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "ALLOW_LOCALHOST_DOMAINS": "1",
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
    }
    try:
        run(old_code, ["setup_platform"], env)
        before = run(old_code, ["shell", "-c", OLD_SEED], env, marker="OLD-CODE")
        assert before["config"].startswith(str(old_code)), before  # really the old code
        run(ROOT, ["setup_platform"], env)
        after = run(
            ROOT,
            ["shell", "-c", f"GIVEN = {json.dumps(json.dumps(before))}\n{NEW_CHECK}"],
            env,
            marker="NEW-CODE",
        )
    finally:
        recreate(DATABASE, drop_only=True)
    assert after["config"].startswith(str(ROOT / "config")), after
    assert after == {
        **after,
        "home": 200,
        "portal_home": 200,
        "item_current": True,
        "indexed": True,
        "search": 1,
        "chains_ok": True,
        "recovery_code": "recovery",
        "authenticator": "totp",
        "new_site_home": 200,
    }, after
