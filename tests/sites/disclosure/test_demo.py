"""The demo's disclosure items (tenants/demo/every_site.yaml, built by sites/disclosure/demo.py)
give every kind of site ≥ 30 items, linked and partly repealed; twice is once."""

from django.db.models import Count
from django_tenants.utils import schema_context

from sites.disclosure.models import DisclosureItem, PolicyInterpretationPage
from tenants.demo.content import content_for, load_city
from tenants.demo.pages import seed_pages


def seed(site) -> int:
    """Every site's demo pages on `site` (a test site, with no file of its own)."""
    every_site = load_city().every_site
    with schema_context(site.schema_name):
        pages = seed_pages(site, content_for(site, None, every_site))
        return DisclosureItem.objects.filter(pk__in=[p.pk for p in pages]).count()


def test_seed_gives_a_site_its_demo_disclosure_content_and_is_idempotent(alpha, beta):
    for site in (alpha, beta):
        created = seed(site)
        assert created >= 30
        assert seed(site) == 0
    with schema_context("beta"):
        items = DisclosureItem.objects.live()
        assert items.count() >= 30
        kinds = set(items.values_list("content_type__model", flat=True))
        assert {
            "policydocumentpage",
            "policyinterpretationpage",
            "statisticsreleasepage",
            "leaderprofilepage",
            "organisationpage",
            "emergencyinformationpage",
            "disclosurearticlepage",
        } <= kinds
        assert items.filter(validity="repealed").count() >= 2
        assert PolicyInterpretationPage.objects.exclude(interpreted_document=None).count() >= 5
        assert not items.values("index_number").annotate(n=Count("pk")).filter(n__gt=1).exists()
        # a department's own units, in the order of the data's `departments` section
        assert items.get(slug="tj-01").department.name == f"{beta.short_name}财务科"
        assert items.get(slug="doc-01").document_number.startswith(f"{beta.short_name}发〔")
