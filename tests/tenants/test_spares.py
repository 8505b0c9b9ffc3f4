"""Spare schemas: the template's copies made ahead, renamed into new sites (tenants.spares)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import schema_context, schema_exists
from wagtail.models import Page, Site

from sites.core.models import ArticlePage, ColumnPage, HomePage
from tenants import migrating, services, spares
from tests.tenants.test_provisioning import provision, schema_fingerprint

pytestmark = pytest.mark.django_db


def test_a_new_site_is_renamed_from_a_spare_and_is_the_template_to_the_catalog():
    expected = schema_fingerprint("site_template")
    assert spares.replenish(size=1)["made"] == 1
    (spare,) = spares.spare_schemas()
    assert schema_fingerprint(spare) == expected

    result = provision()
    assert spares.spare_schemas() == []  # renamed, not copied again
    assert not schema_exists(spare)
    with schema_context("hbw"):
        site = Site.objects.get()
        assert site.hostname == "hbw.example.gov.cn"
        assert site.root_page.specific.title == "海勃湾区人民政府"
        assert isinstance(site.root_page.specific, HomePage)
    assert result.website.schema_name == "hbw"
    assert migrating.schemas_behind(["hbw"]) == []


def test_what_one_site_from_a_spare_writes_another_site_from_a_spare_does_not_see():
    spares.replenish(size=2)
    provision()
    provision(domain="wd.example.gov.cn", legal_name="乌达区人民政府", short_name="乌达区")
    assert spares.spare_schemas() == []
    with schema_context("hbw"):
        column = ColumnPage.objects.get(slug="gzdt")
        column.add_child(
            instance=ArticlePage(title="海勃湾区独有的通知", slug="only-hbw", date="2026-12-06")
        )
    with schema_context("wd"):
        assert not Page.objects.filter(slug="only-hbw").exists()
        assert HomePage.objects.get().title == "乌达区人民政府"
    with schema_context("alpha"):
        assert not Page.objects.filter(slug="only-hbw").exists()


def test_a_spare_behind_on_migrations_is_never_used_and_replenish_replaces_it():
    spares.replenish(size=1)
    (stale,) = spares.spare_schemas()
    with connection.cursor() as cursor:  # as if made before a deploy added a migration
        cursor.execute(
            f"DELETE FROM {stale}.django_migrations WHERE name = %s",  # noqa: S608 (a spare)
            ["0009_embed_cache_until"],
        )
    provision()  # cloned from the template instead
    assert spares.spare_schemas() == [stale]
    assert migrating.schemas_behind(["hbw"]) == []

    done = spares.replenish(size=1)
    assert done["dropped"] == 1 and done["made"] == 1
    (fresh,) = spares.spare_schemas()
    assert fresh != stale and not schema_exists(stale)
    assert migrating.schemas_behind([fresh]) == []


def test_no_spare_ready_means_the_site_is_cloned():
    assert spares.spare_schemas() == []
    provision()
    with schema_context("hbw"):
        assert HomePage.objects.get().title == "海勃湾区人民政府"


def test_spares_are_not_sites_and_their_names_cannot_be_taken():
    spares.replenish(size=1)
    (spare,) = spares.spare_schemas()
    assert spare not in migrating.tenant_schemas()
    assert not services.sites().filter(schema_name=spare).exists()
    with pytest.raises(ValidationError) as refused:
        provision(schema_name="spare_mine")
    assert "spare_*" in " ".join(refused.value.message_dict["schema_name"])
