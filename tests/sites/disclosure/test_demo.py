"""The demo seed gives every kind of site ≥ 30 items, linked and partly repealed; twice is once."""

from django.db.models import Count

from sites.disclosure import demo
from sites.disclosure.models import DisclosureItem, PolicyInterpretationPage


def test_seed_gives_a_site_its_demo_disclosure_content_and_is_idempotent(alpha, beta):
    for site in (alpha, beta):
        created = demo.seed(site)
        assert created >= 30
        assert demo.seed(site) == 0
    from django_tenants.utils import schema_context
    with schema_context("beta"):
        items = DisclosureItem.objects.live()
        assert items.count() >= 30
        kinds = set(items.values_list("content_type__model", flat=True))
        assert {"policydocumentpage", "policyinterpretationpage", "statisticsreleasepage",
                "leaderprofilepage", "organisationpage", "emergencyinformationpage",
                "disclosurearticlepage"} <= kinds
        assert items.filter(validity="repealed").count() >= 2
        assert PolicyInterpretationPage.objects.exclude(interpreted_document=None).count() >= 5
        assert not items.values("index_number").annotate(n=Count("pk")).filter(n__gt=1).exists()
