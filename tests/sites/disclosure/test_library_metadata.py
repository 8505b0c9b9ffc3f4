"""Issue 13, item 1: the real disclosure page types give the library their metadata (文号,
索引号, issuer, topic category, validity, date written), so an exact 文号 or 索引号 finds its
document first on the portal's /search/ and /api/search/, in any bracket style; existing
items are re-projected on upgrade; the catalogue's title/文号 filter takes any bracket."""

import datetime
import importlib
import json
import re

import pytest
from django.apps import apps as global_apps
from django.test import Client
from django_tenants.utils import schema_context
from wagtail.rich_text import RichText

from federation.library import services as library
from federation.library.models import LibraryItem, OutboxEvent
from federation.search.models import SearchDocument
from sites.disclosure.models import CataloguePage, Department, TopicCategory
from tests.factories import unique
from tests.sites.disclosure.factories import column, make_article, make_document

pytestmark = pytest.mark.django_db


def item_of(website, page):
    return LibraryItem.objects.get(item_key=f"{website.schema_name}:{page.translation_key}")


@pytest.fixture
def document(alpha, committed):
    """A real PolicyDocumentPage on alpha, published the way the admin does, tasks run."""
    serial = datetime.datetime.now().strftime("%H%M%S%f")
    with schema_context(alpha.schema_name), committed():
        finance = TopicCategory.objects.get(name="财政、金融、审计")
        dept = Department.objects.create(name=f"甲区财政局{serial}")
        doc = make_document(
            title=f"甲区财政专项资金管理办法{serial}",
            document_number=f"甲政发〔2026〕{serial}号",
            issuing_body="乌海市甲区人民政府",
            topic_category=finance,
            department=dept,
            date_written=datetime.date(2026, 3, 2),
            date=datetime.date(2026, 3, 5),
        )
        # Another page that cites the number in its text: the document must still come first.
        make_article(
            title=f"关于学习财政专项资金管理办法的通知{serial}",
            body=[("paragraph", RichText(f"<p>请认真学习甲政发〔2026〕{serial}号文件。</p>"))],
        )
    return doc


def test_a_policy_document_gives_the_library_its_catalogue_metadata(alpha, document):
    item = item_of(alpha, document)
    assert item.document_number == document.document_number
    assert re.fullmatch(r"\w{10}/2026-\d{5}", item.index_number)
    assert item.index_number == document.index_number
    assert item.issuer == "乌海市甲区人民政府"
    assert item.extra["topic_category"] == "财政、金融、审计"
    assert item.extra["validity"] == "有效"
    assert item.extra["date_written"] == "2026-03-02"
    assert item.extra["department"] == document.department.name


def test_every_disclosure_item_carries_its_index_number(alpha, committed):
    with schema_context(alpha.schema_name), committed():
        article = make_article(title=f"甲区召开专题会议{unique('m')}")
    item = item_of(alpha, article)
    assert item.index_number == article.index_number != ""
    assert item.document_number == ""
    assert item.issuer == article.department.name  # no 发文机关: the responsible department
    assert "validity" not in item.extra  # not a document: no validity to show


@pytest.mark.parametrize("path", ["/search/", "/api/search/"])
def test_the_exact_number_finds_its_document_first_on_the_portal(
    alpha, beta, portal, document, path
):
    number = document.document_number
    spellings = [
        number,
        number.replace("〔", "[").replace("〕", "]"),
        number.replace("〔", "（").replace("〕", "）"),
        number.replace("〔", "(").replace("〕", ")"),
        document.index_number,
    ]
    for query in spellings:
        response = Client().get(path, {"q": query}, HTTP_HOST=portal.primary_domain)
        assert response.status_code == 200
        if path.startswith("/api/"):
            results = json.loads(response.content)["results"]
            assert results, query
            assert results[0]["title"] == document.title, query
            assert results[0]["document_number"] == number
            assert results[0]["index_number"] == document.index_number
        else:
            html = re.sub(r"<[^>]+>", "", response.content.decode())  # titles are highlighted
            assert document.title in html, query
            others = [m.start() for m in re.finditer("关于学习财政专项资金管理办法", html)]
            assert all(html.index(document.title) < at for at in others), query
    # Another site's own search does not see alpha's document.
    response = Client().get(
        "/api/search/", {"q": number, "scope": "site"}, HTTP_HOST=beta.primary_domain
    )
    assert json.loads(response.content)["results"] == []


def test_existing_items_are_reprojected_on_upgrade(alpha, document, committed):
    """Items projected before the hook existed have empty numbers: the migration queues a
    resync of every disclosure item, and the outbox sweep fills them in (and the search)."""
    key = f"{alpha.schema_name}:{document.translation_key}"
    # Rows written before then have no digest either (the digest columns came later still):
    # without one, the item's next event writes it anew.
    LibraryItem.objects.filter(item_key=key).update(
        document_number="", index_number="", extra={}, digest=None
    )
    SearchDocument.objects.filter(item__item_key=key).update(identifiers=[], source_digest=None)
    migration = importlib.import_module(
        "federation.library.migrations.0003_reproject_disclosure_items"
    )
    before = OutboxEvent.objects.filter(item_key=key).count()
    from django.db import connection

    with connection.schema_editor() as editor:
        migration.reproject_disclosure_items(global_apps, editor)
    assert OutboxEvent.objects.filter(item_key=key).count() == before + 1
    with committed():
        assert library.sweep_outbox(older_than=datetime.timedelta(0)) >= 1
    item = LibraryItem.objects.get(item_key=key)
    assert item.document_number == document.document_number
    assert item.index_number == document.index_number
    assert SearchDocument.objects.get(item=item).identifiers


def test_the_catalogue_filter_accepts_any_bracket_style(in_alpha):
    serial = datetime.datetime.now().strftime("%H%M%S%f")
    make_document(title="带括号文号的办法", document_number=f"甲政发〔2026〕{serial}号")
    make_document(title="另一份办法", document_number=f"甲政发〔2025〕{serial}号")
    url = CataloguePage.objects.get().url
    for query in (
        f"甲政发〔2026〕{serial}号",
        f"甲政发[2026]{serial}号",
        f"甲政发（2026）{serial}号",
        f"甲政发(2026){serial}号",
        "[2026]",
        "（2026）",
    ):
        html = Client(HTTP_HOST=in_alpha.primary_domain).get(url, {"q": query}).content.decode()
        found = re.findall(r'<td><a href="[^"]+">([^<]+)</a>', html)
        assert "带括号文号的办法" in found, query
        assert "另一份办法" not in found, query
    assert column("zcwj")  # the documents' column exists on every district
