import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django_tenants.utils import schema_context, schema_exists
from wagtail.models import Site

from sites.core.models import ColumnPage, HomePage
from tenants import services
from tenants.models import Domain, Website


def provision(**overrides):
    args = dict(
        kind="district",
        legal_name="海勃湾区人民政府",
        short_name="海勃湾区",
        domain="hbw.example.gov.cn",
        webmaster_password="Webmaster-Pass-2026",
    )
    args.update(overrides)
    return services.provision_site(**args)


@pytest.mark.django_db
def test_provisioned_site_is_complete():
    result = provision(site_code="1503020001")
    website = result.website
    assert website.schema_name == "hbw"
    assert schema_exists("hbw")
    assert website.primary_domain == "hbw.example.gov.cn"
    with schema_context("hbw"):
        site = Site.objects.get()
        assert site.hostname == "hbw.example.gov.cn"
        assert site.is_default_site
        home = site.root_page.specific
        assert isinstance(home, HomePage)
        assert home.title == "海勃湾区人民政府"
        columns = list(ColumnPage.objects.child_of(home).values_list("slug", "title"))
        assert ("gzdt", "工作动态") in columns and ("tzgg", "通知公告") in columns
        from django.contrib.auth import get_user_model

        webmaster = get_user_model().objects.get(username="webmaster")
        assert webmaster.check_password("Webmaster-Pass-2026")


@pytest.mark.django_db
def test_each_kind_gets_its_own_column_tree():
    dept = provision(kind="department", legal_name="乌海市教育局", domain="jyj.example.gov.cn")
    with schema_context(dept.website.schema_name):
        slugs = set(ColumnPage.objects.values_list("slug", flat=True))
    assert "jgzn" in slugs and "bmdt" in slugs and "gzdt" not in slugs


@pytest.mark.parametrize(
    "domain, rule",
    [
        ("hbw.example.com", "gov.cn"),
        ("海勃湾.com", ".cn"),
        ("not a domain", "不是有效的域名"),
        ("hbw.localhost.evil.org", "gov.cn"),
    ],
)
@pytest.mark.django_db
def test_bad_domain_is_refused_with_the_rule(domain, rule):
    with pytest.raises(ValidationError) as exc:
        provision(domain=domain)
    assert rule in " ".join(exc.value.message_dict["domain"])
    assert not Website.objects.filter(legal_name="海勃湾区人民政府").exists()


@pytest.mark.django_db
def test_chinese_domain_ending_in_cn_is_accepted_and_stored_as_punycode():
    result = provision(domain="海勃湾区.政务.cn", schema_name="hbw_cn")
    stored = result.website.primary_domain
    assert stored.startswith("xn--") and stored.endswith(".cn")
    assert result.website.primary_domain_display == "海勃湾区.政务.cn"


@pytest.mark.django_db
def test_localhost_domains_need_the_demo_setting(settings):
    settings.ALLOW_LOCALHOST_DOMAINS = False
    with pytest.raises(ValidationError) as exc:
        provision(domain="hbw.localhost")
    assert "ALLOW_LOCALHOST_DOMAINS" in str(exc.value)


@pytest.mark.django_db
def test_duplicate_domain_or_schema_is_a_clear_error():
    provision()
    with pytest.raises(ValidationError) as exc:
        provision(schema_name="hbw2")
    assert "已被其他网站使用" in exc.value.message_dict["domain"][0]
    with pytest.raises(ValidationError) as exc:
        provision(domain="other.example.gov.cn", schema_name="hbw")
    assert "已存在" in exc.value.message_dict["schema_name"][0]
    with pytest.raises(ValidationError):
        provision(domain="t.example.gov.cn", schema_name="site_template")


@pytest.mark.django_db
def test_failure_midway_leaves_nothing_behind(monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "create_webmaster", explode)
    with pytest.raises(RuntimeError):
        provision()
    connection.set_schema_to_public()
    assert not schema_exists("hbw")
    assert not Website.objects.filter(schema_name="hbw").exists()
    assert not Domain.objects.filter(domain="hbw.example.gov.cn").exists()
    # …and the same site can then be provisioned for real.
    monkeypatch.undo()
    assert provision().website.schema_name == "hbw"


@pytest.mark.django_db
def test_commands_provision_list_and_change_status(capsys):
    call_command(
        "provision_site",
        kind="department",
        name="乌海市交通运输局",
        short_name="市交通运输局",
        domain="jtj.example.gov.cn",
        site_code="1503009301",  # activation needs it
        operator="市交通运输局办公室",
        leader="张局长",
        leader_phone="0473-1",
        operator_contact="赵科长",
        operator_contact_phone="0473-2",
    )
    out = capsys.readouterr().out
    assert "password:" in out and "jtj" in out
    call_command("list_sites", json=True)
    rows = json.loads(capsys.readouterr().out)
    row = next(r for r in rows if r["schema"] == "jtj")
    assert row == {
        "schema": "jtj",
        "kind": "department",
        "domains": ["jtj.example.gov.cn"],
        "status": "active",
        "legal_name": "乌海市交通运输局",
    }
    assert all(r["kind"] in {"portal", "district", "department"} for r in rows)

    call_command("suspend_site", "jtj")
    assert services.get_site("jtj").status == "suspended"
    call_command("archive_site", "jtj")
    assert services.get_site("jtj").status == "archived"
    call_command("activate_site", "jtj")
    assert services.get_site("jtj").status == "active"
    with pytest.raises(CommandError, match="没有模式名"):
        call_command("suspend_site", "nosuchsite")
    with pytest.raises(CommandError, match="gov.cn"):
        call_command(
            "provision_site", kind="district", name="X", short_name="X", domain="x.example.org"
        )


@pytest.mark.django_db
def test_a_current_template_is_cloned_without_replaying_migrations(monkeypatch):
    from django.core import management

    calls = []
    original = management.call_command
    monkeypatch.setattr(
        "django_tenants.models.call_command", lambda *a, **k: calls.append(a) or original(*a, **k)
    )
    provision()
    assert calls == []  # no migrate_schemas: the copied django_migrations is already complete
    with schema_context("hbw"):
        assert HomePage.objects.count() == 1


@pytest.mark.django_db
def test_a_template_behind_on_migrations_takes_the_migrating_path(monkeypatch):
    from django.core import management

    with connection.cursor() as cursor:  # as if a migration was added after the template
        cursor.execute(
            "DELETE FROM site_template.django_migrations WHERE id = (SELECT max(id) "
            "FROM site_template.django_migrations WHERE app = 'security')"
        )
    calls = []
    original = management.call_command
    monkeypatch.setattr(
        "django_tenants.models.call_command", lambda *a, **k: calls.append(a) or original(*a, **k)
    )
    provision()
    assert calls and calls[0][0] == "migrate_schemas"


def schema_fingerprint(schema: str) -> dict:
    """What migrations would see of a schema, with the schema's own name taken out: columns,
    constraints and indexes by name and definition, identity sequences' positions."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), "
            "a.attnotnull, a.attidentity, pg_get_expr(d.adbin, d.adrelid), a.attstorage "
            "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'r' AND a.attnum > 0 "
            "AND NOT a.attisdropped ORDER BY 1, 2",
            [schema],
        )
        columns = [row[:1] + row[2:] for row in cursor.fetchall()]  # attnum may differ
        cursor.execute(
            "SELECT c.relname, k.conname, k.contype, replace(pg_get_constraintdef(k.oid), %s, 'SCHEMA.') "
            "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
            "WHERE k.connamespace = %s::regnamespace ORDER BY 1, 2",
            [f"{schema}.", schema],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT x.relname, replace(pg_get_indexdef(x.oid), %s, 'SCHEMA.') FROM pg_class x "
            "WHERE x.relnamespace = %s::regnamespace AND x.relkind = 'i' ORDER BY 1",
            [f"{schema}.", schema],
        )
        # A partial index's predicate is printed from its parsed form, which PostgreSQL may
        # spell differently once re-parsed (ARRAY[…]::text[] vs ARRAY[…::text]): compare
        # the index up to its WHERE, and that it has one.
        indexes = [
            (name, definition.split(" WHERE ")[0], " WHERE " in definition)
            for name, definition in cursor.fetchall()
        ]
        cursor.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = %s ORDER BY 1",
            [schema],
        )
        sequences = cursor.fetchall()
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relnamespace = %s::regnamespace AND relkind = 'r'",
            [schema],
        )
        tables = cursor.fetchone()[0]
    return {
        "tables": tables,
        "columns": columns,
        "constraints": constraints,
        "indexes": indexes,
        "sequences": sequences,
    }


@pytest.mark.django_db
def test_the_clone_is_the_template_to_the_catalog():
    """Every table, column, default, identity, constraint and index of the template, under its
    own name, and identity sequences continuing where the template's stand (a site's first
    new row must not collide with a copied one). Compared before provisioning adds its rows."""
    from tenants.cloning import clone_template

    expected = schema_fingerprint("site_template")
    with transaction.atomic():
        assert clone_template("clonecheck")
        actual = schema_fingerprint("clonecheck")
        with connection.cursor() as cursor:  # foreign keys point inside the clone
            cursor.execute(
                "SELECT count(*) FROM pg_constraint WHERE connamespace = 'clonecheck'::regnamespace "
                "AND contype = 'f' AND confrelid::regclass::text LIKE 'site\\_template.%%'"
            )
            assert cursor.fetchone()[0] == 0
            cursor.execute("SELECT count(*) FROM clonecheck.django_migrations")
            copied = cursor.fetchone()[0]
            cursor.execute("SHOW search_path")
            assert cursor.fetchone()[0] == "public"  # the clone leaves the search path as it was
        transaction.set_rollback(True)
    assert expected["tables"] > 50 and len(expected["indexes"]) > 100
    for part in ("tables", "columns", "constraints", "indexes", "sequences"):
        assert actual[part] == expected[part], part
    assert copied > 100


@pytest.mark.django_db
def test_a_template_holding_an_object_the_clone_does_not_copy_takes_the_general_path():
    from tenants.cloning import CloneUnsupported, clone_script

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE VIEW site_template.recent_pages AS SELECT id FROM site_template.wagtailcore_page"
        )
    with pytest.raises(CloneUnsupported, match="recent_pages"):
        clone_script("site_template", "x")
    result = provision()  # django-tenants' clone copies the view too
    with schema_context("hbw"):
        assert HomePage.objects.count() == 1
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM hbw.recent_pages")
            assert cursor.fetchone()[0] >= 2
    assert result.website.schema_name == "hbw"


@pytest.mark.django_db
def test_provision_site_checks_the_site_code_like_the_console():
    # The console checked the 网站标识码's format; provision_site took any code (issue 13).
    with pytest.raises(ValidationError) as refused:
        provision(site_code="15-03")
    assert "site_code" in refused.value.message_dict
    assert not schema_exists("hbw")
    with pytest.raises(CommandError, match="网站标识码|site_code"):
        call_command(
            "provision_site",
            "--kind=district",
            "--name=海勃湾区人民政府",
            "--short-name=海勃湾区",
            "--domain=hbw.example.gov.cn",
            "--site-code=12",
        )
    assert not schema_exists("hbw")
