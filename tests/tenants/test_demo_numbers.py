"""Issue 13, item 1, in the demo: the portal's demo documents carry their 文号 and 索引号 into
the library, and typing one on the portal's /search/ or /api/search/ finds the document first
(e.g. 乌海市发〔2026〕1号 and 1503000001/2026-00001 after `make run`)."""

import datetime
import json
import re

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from federation.library import demo as library_demo
from federation.library.models import LibraryItem
from federation.search import demo as search_demo
from sites.disclosure.models import PolicyDocumentPage
from tenants.demo.content import content_for, load_city
from tenants.demo.pages import seed_pages

pytestmark = pytest.mark.django_db


def test_the_demo_portals_numbers_find_their_documents(portal):
    city = load_city()
    assert city.site("portal").registry["site_code"] == "1503000001" == portal.site_code
    with schema_context(portal.schema_name):
        seed_pages(portal, content_for(portal, city.site("portal"), city.every_site))
        doc = PolicyDocumentPage.objects.get(slug="doc-01")
    library_demo.seed()
    search_demo.seed()
    year = (timezone.localdate() - datetime.timedelta(days=40)).year  # doc-01: written then
    assert doc.document_number == f"乌海市发〔{year}〕1号"
    assert doc.index_number == f"1503000001/{timezone.localdate().year}-00001"
    item = LibraryItem.objects.get(site=portal, page_id=doc.pk)
    assert (item.document_number, item.index_number) == (doc.document_number, doc.index_number)
    assert item.issuer == "乌海市人民政府" and item.extra["validity"] == "有效"
    loose = doc.document_number.replace("〔", "[").replace("〕", "]")
    for query in (doc.document_number, loose, doc.index_number):
        api = Client().get("/api/search/", {"q": query}, HTTP_HOST=portal.primary_domain)
        results = json.loads(api.content)["results"]
        assert results and results[0]["title"] == doc.title, query
        page = Client().get("/search/", {"q": query}, HTTP_HOST=portal.primary_domain)
        assert doc.title in re.sub(r"<[^>]+>", "", page.content.decode()), query
