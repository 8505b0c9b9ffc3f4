"""The demo city's data files and its bulk seeder: real page types, real library and search.

The data files are read as `make run` reads them; a real site's file is seeded onto the test
sites (alpha is a district, beta a department, like hbw and jyj), and what a visitor and an
editor see is checked through the public search page and the Wagtail editor.
"""

import datetime
import textwrap

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import Client
from django_tenants.utils import schema_context
from wagtail.models import Page, ReferenceIndex

from federation.library import demo as library_demo
from federation.library.models import ConsumerStep, LibraryItem
from federation.search import demo as search_demo
from sites.core.models import ArticlePage
from sites.disclosure.models import DisclosureItem, PolicyDocumentPage, TopicPage
from tenants.demo.content import DemoDataError, content_for, load_city
from tenants.demo.pages import seed_pages
from tests.clients import site_client
from tests.sites.disclosure.factories import edit_form

pytestmark = pytest.mark.django_db

KINDS = {"portal": "portal", "district": "alpha", "department": "beta"}


def seed(website, key):
    """The pages of sites/<key>.yaml and every_site.yaml, written onto `website`."""
    city = load_city()
    with schema_context(website.schema_name):
        return seed_pages(website, content_for(website, city.site(key), city.every_site))


def test_the_data_files_describe_the_whole_city():
    city = load_city()
    assert [s.key for s in city.sites] == [
        "portal",
        "hbw",
        "wuda",
        "hainan",
        "jyj",
        "wjw",
        "jtj",
        "sthjj",
    ]
    for site in city.sites:
        assert site.registry["legal_name"].startswith("乌海市") and site.registry["site_code"]
        assert len(site.pages) >= 27, site.key  # its own articles
        assert site.registry.get("parent") in (None, "portal")
    types = {page.get("type", "article") for page in city.every_site.pages}
    assert {
        "document",
        "interpretation",
        "disclosure_article",
        "statistics",
        "leader",
        "organisation",
        "emergency",
        "topic",
    } <= types


def test_a_site_gets_its_pages_as_live_published_pages_and_a_second_run_adds_none(alpha):
    pages = seed(alpha, "hbw")
    assert len(pages) == 28 + 34  # its articles, then what every site publishes
    with schema_context("alpha"):
        live = Page.objects.filter(pk__in=[p.pk for p in pages], live=True)
        assert live.count() == len(pages)
        for page in Page.objects.filter(pk__in=[p.pk for p in pages]).specific():
            # what a first publish leaves: a live revision, dates, a place in the tree
            assert page.live_revision_id == page.latest_revision_id is not None
            assert page.first_published_at and not page.has_unpublished_changes
            assert page.url_path == f"{page.get_parent().url_path}{page.slug}/"
            page.full_clean()  # the data passes the model's own rules (as the editor checks)
        article = ArticlePage.objects.get(title="海勃湾区政府召开第二十二次常务会议")
        assert article.date == datetime.date(2026, 11, 23) and article.get_parent().slug == "gzdt"
        assert "区长主持召开区政府第二十二次常务会议" in str(article.body)
        items = DisclosureItem.objects.filter(pk__in=[p.pk for p in pages])
        assert not items.values("index_number").annotate(n=Count("pk")).filter(n__gt=1).exists()
        assert all(
            n.startswith(alpha.site_code) for n in items.values_list("index_number", flat=True)
        )
        doc = PolicyDocumentPage.objects.get(slug="doc-01")
        assert doc.document_number == f"海勃湾发〔{doc.date_written.year}〕1号"  # its file's prefix
        assert (
            PolicyDocumentPage.objects.get(slug="doc-old-1").superseded_by_id
            == PolicyDocumentPage.objects.get(slug="doc-02").pk
        )
        assert [i.page_id for i in TopicPage.objects.get(slug="zt-yshj").items.all()] == [
            doc.pk,
            Page.objects.get(slug="jd-01").pk,
            Page.objects.get(slug="xw-05").pk,
        ]
        # Wagtail's reference index ("used by…") holds what a page save would have written
        refs = ReferenceIndex.objects.filter(object_id__in=[str(p.pk) for p in pages])
        before = set(
            refs.values_list("object_id", "to_content_type", "to_object_id", "content_path")
        )
        for page in Page.objects.filter(pk__in=[p.pk for p in pages]).specific():
            ReferenceIndex.create_or_update_for_object(page)
        assert (
            set(refs.values_list("object_id", "to_content_type", "to_object_id", "content_path"))
            == before
        )
        interpretation = Page.objects.get(slug="jd-01")
        assert (
            ReferenceIndex.get_references_to(doc).filter(object_id=str(interpretation.pk)).exists()
        )
        home = Page.objects.get(depth=2)
        assert Page.objects.get(pk=home.pk).numchild == home.get_children().count()
        for column in home.get_children():
            assert column.numchild == column.get_children().count()
    assert seed(alpha, "hbw") == []


def test_seeded_pages_reach_the_library_and_search_and_edit_like_any_page(alpha, beta, committed):
    seed(alpha, "hbw")
    seed(beta, "jyj")
    library_demo.seed()
    search_demo.seed()
    assert not ConsumerStep.objects.filter(done_at=None, item__site__in=[alpha, beta]).exists()
    with schema_context("alpha"):
        pages = Page.objects.filter(depth__gt=3, live=True)
        expected = pages.exclude(content_type__model="cataloguepage").count()
    assert LibraryItem.objects.filter(site=alpha, withdrawn=False).count() == expected

    # a visitor searches this site, then every site, and finds the demo items
    # (titles come back with the query's words marked: the parts between them are checked)
    found = Client().get("/search/", {"q": "供暖保障"}, HTTP_HOST="alpha.localhost")
    assert "区领导深入老旧小区调研" in found.content.decode()
    here = Client().get("/search/", {"q": "校园安全"}, HTTP_HOST="alpha.localhost")
    assert "全市教育系统召开冬季" not in here.content.decode()  # beta's, not alpha's
    everywhere = Client().get(
        "/search/", {"q": "校园安全", "scope": "all"}, HTTP_HOST="alpha.localhost"
    )
    assert "全市教育系统召开冬季" in everywhere.content.decode()

    # an editor opens a seeded document and publishes it: the usual flow, a new item version
    with schema_context("alpha"):
        from django.contrib.auth import get_user_model

        doc = PolicyDocumentPage.objects.get(slug="doc-02")
        webmaster = get_user_model().objects.get(username="webmaster")
    item = LibraryItem.objects.get(site=alpha, page_id=doc.pk)
    client = site_client(alpha, webmaster)
    assert client.get(f"/admin/pages/{doc.pk}/edit/").status_code == 200
    with committed():  # the publish flow's tasks run after commit
        response = client.post(f"/admin/pages/{doc.pk}/edit/", edit_form(doc, summary="新的摘要。"))
    assert response.status_code == 302, response.content.decode()[:2000]
    with schema_context("alpha"):
        doc.refresh_from_db()
        assert doc.summary == "新的摘要。" and doc.revisions.count() == 2 and doc.live
    republished = LibraryItem.objects.get(pk=item.pk)
    assert republished.version > item.version and republished.summary == "新的摘要。"


def test_a_mistake_in_the_data_says_where_and_what_to_change(alpha, tmp_path):
    (tmp_path / "sites").mkdir()
    (tmp_path / "city.yaml").write_text("sites: [alpha]\n", encoding="utf-8")
    (tmp_path / "every_site.yaml").write_text("pages: []\n", encoding="utf-8")

    def site_file(pages):
        (tmp_path / "sites" / "alpha.yaml").write_text(
            textwrap.dedent("""\
            site: {key: alpha, kind: district, legal_name: 乌海市甲区人民政府, short_name: 甲区}
            pages:
            """)
            + textwrap.indent(textwrap.dedent(pages), "  "),
            encoding="utf-8",
        )

    site_file("""\
        - column: gzdt
          title: 一篇文章
          dat: 2026-01-02
        """)
    with pytest.raises(
        DemoDataError, match=r"sites/alpha.yaml, page 1 \(“一篇文章”\): unknown key"
    ):
        load_city(tmp_path)
    site_file("""\
        - column: gzdt
          title: 一篇文章
          date: 2026-01-02
        - column: nosuch
          title: 另一篇文章
          date: 2026-01-02
        """)
    city = load_city(tmp_path)
    with (
        pytest.raises(DemoDataError, match="no column “nosuch”: use one of gzdt 工作动态"),
        schema_context("alpha"),
    ):
        seed_pages(alpha, content_for(alpha, city.site("alpha"), city.every_site))
    with schema_context("alpha"):
        assert not ArticlePage.objects.filter(title="一篇文章").exists()  # nothing half-written
    (tmp_path / "every_site.yaml").write_text(
        "pages:\n- {column: gzdt, slug: dup, title: 每个网站都有的文章, date: 2026-01-02}\n",
        encoding="utf-8",
    )
    site_file("""\
        - {column: gzdt, slug: dup, title: 本站的文章, date: 2026-01-02}
        """)
    city = load_city(tmp_path)
    with (
        pytest.raises(DemoDataError, match="slug “dup” is also sites/alpha.yaml, page 1"),
        schema_context("alpha"),
    ):
        seed_pages(alpha, content_for(alpha, city.site("alpha"), city.every_site))
    site_file("""\
        - column: gzdt
          title: 一篇文章
          date: last tuesday
        """)
    with pytest.raises(CommandError, match="“last tuesday” is not a date"):
        call_command("seed_demo", "--quiet", "--data", str(tmp_path))


@pytest.fixture
def no_purge_later():
    """The syndication demo posts a broadcast, whose second page-cache purge waits in a timer
    thread: cancelled, so it cannot fire during a later test."""
    yield
    from pagecache import integrations

    integrations.cancel_pending()


def test_seed_demo_makes_sites_with_their_content_and_a_second_run_adds_nothing(
    db, tmp_path, no_purge_later
):
    (tmp_path / "sites").mkdir()
    (tmp_path / "city.yaml").write_text("sites: [democity, demodist]\n", encoding="utf-8")
    (tmp_path / "every_site.yaml").write_text(
        textwrap.dedent("""\
        pages:
        - column_type: [notices, disclosure]
          title: "{name}关于冬季供暖的通知"
          date: 3 days ago
        """),
        encoding="utf-8",
    )
    for key, kind, name, parent, code in (
        ("democity", "portal", "演示市", "null", "1503990001"),
        ("demodist", "district", "演示区", "democity", "1503990002"),
    ):
        (tmp_path / "sites" / f"{key}.yaml").write_text(
            textwrap.dedent(f"""\
            site:
              key: {key}
              kind: {kind}
              legal_name: 乌海市{name}人民政府
              short_name: {name}
              parent: {parent}
              site_code: '{code}'
              motto: 演示
            pages:
            - column: tzgg
              title: {name}演示文章
              date: 2026-11-02
              paragraphs: [第一段。, 第二段。]
            """),
            encoding="utf-8",
        )
    out = _seed(tmp_path)
    assert "[1/2] creating 乌海市演示市人民政府" in out and "[2/2] 演示区: 2 pages" in out
    assert "seconds per phase: provisioning" in out and "ms each" in out
    with schema_context("demodist"):
        notice = ArticlePage.objects.get(title="演示区关于冬季供暖的通知")
        assert notice.date == datetime.date.today() - datetime.timedelta(days=3)
        assert notice.get_parent().slug == "tzgg"
    assert LibraryItem.objects.filter(site__schema_name="demodist").count() == 2
    again = _seed(tmp_path)
    assert "[2/2] 演示区: up to date" in again and "seconds per phase" not in again
    assert LibraryItem.objects.filter(site__schema_name="demodist").count() == 2


def _seed(data) -> str:
    import io

    out = io.StringIO()
    call_command("seed_demo", "--quiet", "--data", str(data), stdout=out)
    return out.getvalue()


def test_a_page_added_to_the_data_later_is_followed_like_a_publish(alpha):
    from federation.search.models import SearchDocument
    from tenants.demo.content import Entry, SiteContent

    seed(alpha, "hbw")
    library_demo.seed()
    search_demo.seed()
    later = Entry(
        "sites/hbw.yaml, page 29",
        {
            "column": "gzdt",
            "title": "后来补充的演示文章",
            "date": "2 days ago",
            "paragraphs": ["正文。"],
        },
    )
    with schema_context("alpha"):
        [page] = seed_pages(alpha, SiteContent([later], {}))
    assert library_demo.seed() == {"items": 1}
    item = LibraryItem.objects.get(site=alpha, page_id=page.pk)
    # its consumer steps ran at once (search, syndication), as after any publish
    assert not ConsumerStep.objects.filter(item=item, done_at=None).exists()
    assert ConsumerStep.objects.filter(item=item).count() >= 2
    assert SearchDocument.objects.filter(item=item).exists()
    assert search_demo.seed() == {}  # nothing missing: no rebuild
