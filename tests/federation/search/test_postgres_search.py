"""Cross-site search on the PostgreSQL backend: Chinese matching, ranking, facets, isolation."""

import datetime
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django_tenants.utils import schema_context
from wagtail.models import PageViewRestriction

from federation.library.models import LibraryItem
from federation.search.backends import get_backend
from federation.search.query import from_params, parse_text
from federation.search.segment import identifier
from tests.factories import make_article, unique

pytestmark = pytest.mark.django_db


def search(website, query="", **params):
    qd = QueryDict(mutable=True)
    qd["q"] = query
    for key, value in params.items():
        qd.setlist(key, value if isinstance(value, list) else [value])
    return get_backend().search(from_params(qd, website=website))


def titles(results):
    return [h.item.title for h in results.hits]


@pytest.fixture
def corpus(alpha, beta, publish):
    marker = unique("zz")  # a word only this test's items contain, to keep counts exact
    pages = {
        "road": publish(
            alpha,
            f"城区道路维修工程启动 {marker}",
            "主干道维修期间请绕行。",
            date=datetime.date(2025, 3, 1),
        ),
        "safety": publish(
            alpha,
            f"节日出行提示 {marker}",
            "请注意出行交通，确保人身安全。",
            column="tzgg",
            date=datetime.date(2024, 1, 1),
        ),
        "trip": publish(
            alpha, f"出行服务指南 {marker}", "公交线路调整。", date=datetime.date(2024, 6, 1)
        ),
        "beta_road": publish(
            beta,
            f"乙局道路养护通知 {marker}",
            "道路养护作业。",
            column="tzgg",
            date=datetime.date(2025, 5, 1),
        ),
        "mixed": publish(
            beta,
            f"5G基站建设与COVID-19防控 {marker}",
            "推进５Ｇ网络覆盖，iPhone用户可升级。",
            column="bmdt",
            date=datetime.date(2025, 2, 2),
        ),
    }
    return marker, pages


def test_two_character_words_match_inside_longer_text(alpha, corpus):
    marker, _ = corpus
    assert sorted(titles(search(alpha, f"道路 {marker}", scope="all"))) == sorted(
        [f"城区道路维修工程启动 {marker}", f"乙局道路养护通知 {marker}"]
    )
    found = titles(search(alpha, f"维修 {marker}"))
    assert found == [f"城区道路维修工程启动 {marker}"]


def test_a_multi_word_query_needs_every_word(alpha, corpus):
    marker, _ = corpus
    assert parse_text("出行安全").groups[0].term in {"出行", "出行安全"}
    found = titles(search(alpha, f"出行安全 {marker}"))
    assert found == [f"节日出行提示 {marker}"]  # 出行服务指南 has 出行 but not 安全


def test_quotes_search_a_phrase(alpha, corpus):
    marker, _ = corpus
    assert titles(search(alpha, f'"交通确保" {marker}')) == []
    assert titles(search(alpha, f'"出行交通" {marker}')) == [f"节日出行提示 {marker}"]


def test_mixed_chinese_english_and_digits(beta, corpus):
    marker, _ = corpus
    for query in ("5G基站", "covid-19", "ＣＯＶＩＤ", "iphone", "5g 网络"):
        assert titles(search(beta, f"{query} {marker}")) == [
            f"5G基站建设与COVID-19防控 {marker}"
        ], query


def test_a_document_number_typed_exactly_finds_its_document(alpha, publish, monkeypatch):
    from sites.core.models import ArticlePage

    number = f"乌海甲发〔2024〕{datetime.datetime.now():%M%S%f}号"
    monkeypatch.setattr(
        ArticlePage,
        "library_projection",
        lambda self: {
            "document_number": number if "办法" in self.title else "",
            "index_number": "11150300MB0000000X/2024-00012" if "办法" in self.title else "",
        },
        raising=False,
    )
    publish(alpha, "道路维修管理办法", "正文")
    publish(alpha, "其他道路文件", f"引用了文件{number[:4]}")
    loose = number.replace("〔", "[").replace("〕", "]")
    assert identifier(loose) == identifier(number)
    for query in (number, loose, "11150300MB0000000X/2024-00012"):
        results = search(alpha, query)
        assert titles(results)[:1] == ["道路维修管理办法"], query


def test_past_the_candidate_limit_the_newest_matches_are_ranked_and_exact_numbers_first(
    alpha, publish, monkeypatch
):
    """A common word: only the RANK_CANDIDATES newest matches are ranked, found through the
    year counts (1 January in Beijing time belongs to its year); an exact 文号 is one of them
    and comes first however old its document is."""
    from federation.search.backends.postgres import matching
    from sites.core.models import ArticlePage

    marker = unique("nc")
    number = f"乌海甲发〔2019〕{datetime.datetime.now():%M%S%f}号"
    monkeypatch.setattr(
        ArticlePage,
        "library_projection",
        lambda self: {"document_number": number if "办法" in self.title else ""},
        raising=False,
    )
    monkeypatch.setattr(matching, "RANK_CANDIDATES", 3)
    # The oldest is the best text match (the word twice in its title), and it has the 文号.
    publish(
        alpha, f"{marker} 管理办法 {marker}", f"{marker} {number}", date=datetime.date(2019, 5, 1)
    )
    dated = {
        datetime.date(2026, 5, 1): "五月",
        datetime.date(2025, 3, 1): "三月",
        datetime.date(2024, 6, 1): "六月",
        datetime.date(2024, 1, 1): "元旦",
    }
    for date, name in dated.items():
        publish(alpha, f"{name}通知 {marker}", f"正文引用{number}", date=date)
    results = search(alpha, marker)
    assert results.total == 5
    assert sorted(titles(results)) == sorted(f"{n}通知 {marker}" for n in ("五月", "三月", "六月"))
    by_number = search(alpha, number)
    assert by_number.total == 5  # all cite the number; one has it as its 文号
    assert titles(by_number)[0] == f"{marker} 管理办法 {marker}"
    assert sorted(titles(by_number)[1:]) == sorted(f"{n}通知 {marker}" for n in ("五月", "三月"))
    # Newest first, one per page: each page is bounded by the year counts the same way.
    qd = QueryDict(mutable=True)
    qd.update({"q": marker, "sort": "date"})
    req = from_params(qd, website=alpha)
    req.per_page = 1
    pages = []
    for n in range(1, 6):
        req.page = n
        pages.append(titles(get_backend().search(req)))
    assert pages == [[f"{n}通知 {marker}"] for n in ("五月", "三月", "六月", "元旦")] + [
        [f"{marker} 管理办法 {marker}"]
    ]


def test_title_matches_rank_above_body_matches_and_recent_above_old(alpha, publish):
    marker = unique("rk")
    publish(alpha, f"通知 {marker}", "正文提到河道治理。", date=datetime.date(2025, 1, 1))
    publish(alpha, f"河道治理方案 {marker}", "正文。", date=datetime.date(2025, 1, 1))
    assert titles(search(alpha, f"河道治理 {marker}"))[0] == f"河道治理方案 {marker}"
    publish(alpha, f"旧的水利消息 {marker}", "水利", date=datetime.date(2015, 1, 1))
    publish(alpha, f"新的水利消息 {marker}", "水利", date=datetime.date.today())
    assert titles(search(alpha, f"水利 消息 {marker}"))[0] == f"新的水利消息 {marker}"


def test_facets_count_by_site_type_and_year_and_narrow(alpha, beta, corpus):
    marker, _ = corpus
    results = search(alpha, marker, scope="all")
    assert results.total == 5
    sites = {f.value: f.count for f in results.facets["site"]}
    assert sites == {"alpha": 3, "beta": 2}
    types = {f.value: f.count for f in results.facets["type"]}
    assert types == {"news": 3, "notice": 2}
    years = {f.value: f.count for f in results.facets["year"]}
    assert years == {"2025": 3, "2024": 2}  # 2024-01-01 00:00 Beijing time is still 2024
    narrowed = search(alpha, marker, scope="all", site="beta", type="notice")
    assert titles(narrowed) == [f"乙局道路养护通知 {marker}"]
    assert search(alpha, marker, scope="all", year="2024").total == 2


def test_sort_by_date_and_pagination(alpha, corpus):
    marker, _ = corpus
    by_date = search(alpha, marker, scope="all", sort="date")
    dates = [h.item.published_at for h in by_date.hits]
    assert dates == sorted(dates, reverse=True)
    qd = QueryDict(mutable=True)
    qd.update({"q": marker, "scope": "all"})
    req = from_params(qd, website=alpha)
    req.per_page = 2
    pages = []
    for n in (1, 2, 3):
        req.page = n
        pages.append([h.item.pk for h in get_backend().search(req).hits])
    assert [len(p) for p in pages] == [2, 2, 1]
    assert len({pk for p in pages for pk in p}) == 5


def test_highlighted_snippet_marks_the_words_and_escapes_the_rest(alpha, publish):
    marker = unique("hl")
    publish(
        alpha,
        f"<b>标题</b> {marker}",
        "前文&lt;script&gt;alert(1)&lt;/script&gt;，城市绿化工作取得进展。",
    )
    hit = search(alpha, f"绿化 {marker}").hits[0]
    assert "<mark>绿化</mark>" in hit.snippet_html
    assert "<script>" not in hit.snippet_html and "&lt;script&gt;" in hit.snippet_html
    assert "<b>" not in hit.title_html


# --- Isolation -------------------------------------------------------------------------------


def test_site_scope_never_returns_another_sites_items(alpha, beta, corpus):
    marker, _ = corpus
    for query in (marker, f"道路 {marker}"):
        assert {h.item.site.schema_name for h in search(alpha, query).hits} == {"alpha"}
        assert {h.item.site.schema_name for h in search(beta, query).hits} == {"beta"}
        # A site facet pointing elsewhere does not widen a site-scoped search.
        assert search(alpha, query, site="beta").total == 0


def test_drafts_unpublished_and_restricted_pages_never_appear(alpha, publish, committed):
    marker = unique("iso")
    with committed():
        make_article(alpha, f"草稿 {marker}", "正文", publish=False, live=False)
    unpublished = publish(alpha, f"撤回 {marker}", "正文")
    private = publish(alpha, f"内部 {marker}", "正文")
    publish(alpha, f"公开 {marker}", "正文")
    with committed(), schema_context("alpha"):
        unpublished.unpublish()
        PageViewRestriction.objects.create(page=private, restriction_type="login")
    assert titles(search(alpha, marker, scope="all")) == [f"公开 {marker}"]


def test_withdrawal_reaches_search_within_a_second(alpha, publish, committed):
    marker = unique("wd")
    page = publish(alpha, f"即将撤回 {marker}", "正文")
    assert search(alpha, marker).total == 1
    started = time.perf_counter()
    with committed(), schema_context("alpha"):
        page.unpublish()
    assert search(alpha, marker).total == 0
    assert time.perf_counter() - started < 1.0


def test_suspended_sites_and_expired_items_disappear(alpha, beta, corpus):
    from tenants import services

    marker, pages = corpus
    LibraryItem.objects.filter(title__startswith="出行服务指南").update(
        expires_at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    )
    connection.cursor().execute(
        "UPDATE federation_search_document SET expires_at = '2000-01-01' WHERE item_id IN "
        "(SELECT id FROM library_libraryitem WHERE title LIKE '出行服务指南%%')"
    )
    assert f"出行服务指南 {marker}" not in titles(search(alpha, marker))
    services.set_status(beta, "suspended")
    assert {h.item.site.schema_name for h in search(alpha, marker, scope="all").hits} == {"alpha"}


def test_reindex_rebuilds_the_table_and_search_keeps_answering(alpha, beta, corpus, capsys):
    marker, _ = corpus
    before = search(alpha, marker, scope="all").total
    call_command("reindex")
    out = capsys.readouterr().out
    assert "100%" in out and "indexed" in out
    assert search(alpha, marker, scope="all").total == before
    call_command("reindex", "--site", "beta")
    assert search(alpha, marker, scope="all").total == before
    with pytest.raises(Exception, match="没有模式名"):
        call_command("reindex", "--site", "nosuchsite")
