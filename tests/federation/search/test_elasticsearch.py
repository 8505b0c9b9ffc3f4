"""The Elasticsearch backend, tested at the transport level (no cluster can be installed here).

A fake `elastic_transport` node answers the real client: these tests check the requests the
backend sends (mappings, bulk bodies, queries, alias swaps) and how it handles the answers and
failures. `test_against_a_real_cluster` runs only where ELASTICSEARCH_URL points at a cluster.
"""

import datetime
import json
import os
import time

import pytest
from django.http import QueryDict
from django.test import Client
from django.utils import timezone
from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node._base import NodeApiResponse
from elasticsearch import Elasticsearch

from federation.library.models import ConsumerStep, LibraryItem, OutboxEvent
from federation.search import backends
from federation.search.backends.base import SearchUnavailable
from federation.search.backends.elasticsearch import (
    ElasticsearchBackend,
    source_digest,
    unsegment,
)
from federation.search.query import from_params
from tests.factories import unique

pytestmark = pytest.mark.django_db


class FakeCluster:
    """Records every request and answers from `routes`: (method, path start) → (status, body)."""

    def __init__(self):
        self.requests = []
        self.routes = {}

    def answer(self, method, path_start, status=200, body=None):
        self.routes[(method, path_start)] = (status, body if body is not None else {})

    def sent(self, method=None, contains=""):
        return [r for r in self.requests if (method is None or r[0] == method) and contains in r[1]]

    def client(self):
        cluster = self

        class Node(BaseNode):
            def perform_request(
                self, method, target, body=None, headers=None, request_timeout=None
            ):
                text = body.decode() if body else ""
                if text.startswith("{") and "\n" in text.strip():
                    payload = [json.loads(line) for line in text.splitlines() if line.strip()]
                else:
                    payload = json.loads(text) if text else None
                cluster.requests.append((method, target, payload))
                status, answer = 404, {"error": "no route"}
                for (m, start), response in sorted(
                    cluster.routes.items(), key=lambda kv: -len(kv[0][1])
                ):
                    if m == method and target.startswith(start):
                        status, answer = response
                        break
                if callable(answer):
                    answer = answer(payload)
                meta = ApiResponseMeta(
                    status=status,
                    http_version="1.1",
                    duration=0.0,
                    node=self.config,
                    headers=HttpHeaders(
                        {"x-elastic-product": "Elasticsearch", "content-type": "application/json"}
                    ),
                )
                return NodeApiResponse(
                    meta, json.dumps(answer).encode() if method != "HEAD" else b""
                )

        return Elasticsearch("http://search.test:9200", node_class=Node)


@pytest.fixture
def cluster():
    return FakeCluster()


@pytest.fixture
def backend(cluster):
    return ElasticsearchBackend(client=cluster.client(), alias="jiyue-test")


def library_item(site, title, text="", **fields):
    return LibraryItem.objects.create(
        site=site,
        item_key=f"{site.schema_name}:{unique('k')}",
        page_id=1,
        title=title,
        text=text,
        url=f"http://{site.primary_domain}/x/",
        published_at=timezone.now(),
        **fields,
    )


def bulk_ok(actions):
    items = []
    for line in actions:
        op = next(iter(line))
        if op in ("index", "delete"):
            items.append({op: {"_id": line[op]["_id"], "status": 200}})
    return {"errors": False, "took": 1, "items": items}


def none_stored(body):
    """An _mget answer: none of these documents is in the index."""
    return {"docs": [{"_index": "jiyue-test-v1", "_id": i, "found": False} for i in body["ids"]]}


class Documents:
    """The index's documents as the cluster keeps them: written by _bulk, read by _mget."""

    def __init__(self, cluster):
        self.sources = {}
        cluster.answer("PUT", "/_bulk", 200, self.bulk)
        cluster.answer("POST", "/jiyue-test/_mget", 200, self.mget)

    def bulk(self, actions):
        lines = iter(actions)
        for line in lines:
            op, meta = next(iter(line.items()))
            if op == "index":
                self.sources[str(meta["_id"])] = next(lines)
            elif op == "delete":
                self.sources.pop(str(meta["_id"]), None)
        return bulk_ok(actions)

    def mget(self, body):
        wanted = self.sources
        return {
            "docs": [
                {"_index": "jiyue-test-v1", "_id": i, "found": True,
                 "_source": {"source_digest": wanted[i]["source_digest"]}}
                if i in wanted
                else {"_index": "jiyue-test-v1", "_id": i, "found": False}
                for i in body["ids"]
            ]
        }  # fmt: skip


def test_first_write_creates_a_versioned_index_behind_the_alias_and_bulk_indexes(
    alpha, backend, cluster
):
    cluster.answer("HEAD", "/_alias/jiyue-test", 404)
    cluster.answer("PUT", "/jiyue-test-v", 200, {"acknowledged": True})
    cluster.answer("POST", "/_aliases", 200, {"acknowledged": True})
    cluster.answer("PUT", "/_bulk", 200, bulk_ok)
    cluster.answer("POST", "/jiyue-test/_mget", 200, none_stored)
    current = library_item(
        alpha, "城区道路维修工程", "主干道维修期间请绕行。", document_number="乌海发〔2024〕3号"
    )
    withdrawn = library_item(alpha, "已撤回", withdrawn=True)
    backend.index_items([current, withdrawn])

    created = cluster.sent("PUT", "/jiyue-test-v")[0]
    assert created[1].startswith("/jiyue-test-v")
    mappings = created[2]["mappings"]["properties"]
    assert mappings["terms"] == {"type": "text", "analyzer": "jiyue_segmented"}
    assert mappings["site_id"]["type"] == "integer" and mappings["identifiers"]["type"] == "keyword"
    analysis = created[2]["settings"]["analysis"]["analyzer"]["jiyue_segmented"]
    assert analysis == {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]}
    alias = cluster.sent("POST", "/_aliases")[0][2]
    assert alias["actions"][0]["add"]["alias"] == "jiyue-test"

    bulk = cluster.sent("PUT", "/_bulk")[0][2]
    assert bulk[0] == {"index": {"_index": "jiyue-test", "_id": str(current.pk)}} or bulk[0] == {
        "index": {"_index": "jiyue-test", "_id": current.pk}
    }
    source = bulk[1]
    assert source["title"] == "城区 道路 维修 工程"  # pre-segmented, as PostgreSQL cuts it
    assert "道路" in source["title_terms"].split() and source["site_id"] == alpha.pk
    assert source["identifiers"] == ["乌海发〔2024〕3号"]
    assert {"delete": {"_index": "jiyue-test", "_id": withdrawn.pk}} in bulk or {
        "delete": {"_index": "jiyue-test", "_id": str(withdrawn.pk)}
    } in bulk
    # The index exists now: the next write reads the stored digests and goes to _bulk.
    cluster.requests.clear()
    backend.index_items([current])
    assert [r[0] for r in cluster.requests] == ["POST", "PUT"]


def test_refused_documents_raise_so_the_outbox_retries_but_missing_deletes_do_not(
    alpha, backend, cluster
):
    backend._index_ready = True
    item = library_item(alpha, "标题")
    gone = library_item(alpha, "撤回", withdrawn=True)
    cluster.answer(
        "PUT",
        "/_bulk",
        200,
        lambda actions: {
            "errors": True,
            "took": 1,
            "items": [{"delete": {"_id": gone.pk, "status": 404, "result": "not_found"}}],
        },
    )
    backend.index_items([gone])  # deleting what is not indexed is fine
    cluster.answer("POST", "/jiyue-test/_mget", 200, none_stored)
    cluster.answer(
        "PUT",
        "/_bulk",
        200,
        lambda actions: {
            "errors": True,
            "took": 1,
            "items": [
                {
                    "index": {
                        "_id": item.pk,
                        "status": 400,
                        "error": {"type": "mapper_parsing_exception"},
                    }
                }
            ],
        },
    )
    with pytest.raises(RuntimeError, match="refused 1"):
        backend.index_items([item])


def test_an_unchanged_item_is_not_sent_again_and_a_changed_one_is(alpha, backend, cluster):
    backend._index_ready = True
    documents = Documents(cluster)
    unchanged = library_item(alpha, "供暖保障通知", "各单位要做好冬季供暖保障工作。")
    changed = library_item(alpha, "城区道路维修工程", "主干道维修期间请绕行。")
    withdrawn = library_item(alpha, "即将撤回的通知")
    backend.index_items([unchanged, changed, withdrawn])
    assert set(documents.sources) == {str(unchanged.pk), str(changed.pk), str(withdrawn.pk)}
    assert isinstance(documents.sources[str(changed.pk)]["source_digest"], int)

    # A resync: the same items again, one of them changed since, one withdrawn.
    changed.title = "城区道路维修工程竣工"
    withdrawn.withdrawn = True
    cluster.requests.clear()
    backend.index_items([unchanged, changed, withdrawn])
    mget = cluster.sent("POST", "/jiyue-test/_mget")
    assert len(mget) == 1 and sorted(mget[0][2]["ids"]) == sorted(
        [str(unchanged.pk), str(changed.pk)]
    )
    assert "source_digest" in mget[0][1]  # only the digests come back, not the documents
    bulk = cluster.sent("PUT", "/_bulk")[0][2]
    sent = [
        (op, int(meta["_id"]))
        for line in bulk
        for op, meta in line.items()
        if op in ("index", "delete")
    ]
    assert sent == [("index", changed.pk), ("delete", withdrawn.pk)]
    assert "竣工" in documents.sources[str(changed.pk)]["title"].split()

    # Nothing changed at all: one mget, no bulk request.
    cluster.requests.clear()
    backend.index_items([unchanged, changed])
    assert [(m, p.split("?")[0]) for m, p, _ in cluster.requests] == [("POST", "/jiyue-test/_mget")]


def search_request(website, **params):
    qd = QueryDict(mutable=True)
    for key, value in params.items():
        qd.setlist(key, value if isinstance(value, list) else [value])
    return from_params(qd, website=website)


def test_search_builds_a_safe_query_and_reads_hits_facets_and_highlights(
    alpha, beta, backend, cluster
):
    a = library_item(alpha, "城市道路维修", "城市道路维修工程")
    b = library_item(beta, "道路养护", "道路养护作业")
    cluster.answer(
        "POST",
        "/jiyue-test/_search",
        200,
        {
            "took": 1,
            "timed_out": False,
            "hits": {
                "total": {"value": 2, "relation": "eq"},
                "max_score": 2.0,
                "hits": [
                    {
                        "_index": "jiyue-test-v1",
                        "_id": str(a.pk),
                        "_score": 2.0,
                        "_source": {},
                        "highlight": {"text": ["城市 <mark>道路</mark> 维修 工程 &lt;b&gt;"]},
                    },
                    {"_index": "jiyue-test-v1", "_id": str(b.pk), "_score": 1.0, "_source": {}},
                ],
            },
            "aggregations": {
                "site": {
                    "buckets": [{"key": alpha.pk, "doc_count": 1}, {"key": beta.pk, "doc_count": 1}]
                },
                "type": {"buckets": [{"key": "article", "doc_count": 2}]},
                "year": {"buckets": [{"key": 2026, "doc_count": 2}]},
            },
        },
    )
    query = '道路 "维修 工程" & | ! ( ) : * \\ title:(x OR y)'
    results = backend.search(search_request(alpha, q=query, scope="all", type="news", sort="date"))
    body = cluster.sent("POST", "/_search")[0][2]
    text = json.dumps(body, ensure_ascii=False)
    assert "query_string" not in text and "title:(" not in text and "\\\\" not in text
    scored = body["query"]["function_score"]
    filters = scored["query"]["bool"]["filter"]
    # scope=all: every active site (alpha, beta, and the portal once a test has made it)
    from tenants.models import Website

    active = set(
        Website.objects.sites().filter(status=Website.Status.ACTIVE).values_list("pk", flat=True)
    )
    assert {alpha.pk, beta.pk} <= active
    assert any(
        f.get("terms", {}).get("site_id") and set(f["terms"]["site_id"]) == active for f in filters
    )
    assert {"terms": {"item_type": ["news"]}} in filters
    assert scored["functions"][1]["gauss"]["published_at"]["scale"] == "180d"
    assert "multi_match" in text and '"type": "phrase"' in text
    assert body["sort"][0] == {"published_at": {"order": "desc", "missing": "_last"}}
    assert set(body["aggs"]) == {"site", "type", "year"}
    assert body["highlight"]["encoder"] == "html"

    assert results.total == 2 and [h.item.pk for h in results.hits] == [a.pk, b.pk]
    assert results.hits[0].snippet_html == "城市<mark>道路</mark>维修工程 &lt;b&gt;"
    assert "<mark>道路</mark>" in results.hits[1].snippet_html  # our own highlighter as fallback
    assert {f.value: f.count for f in results.facets["site"]} == {"alpha": 1, "beta": 1}
    assert results.facets["year"][0].label == "2026年"


def test_site_scope_is_a_filter_on_this_site_only(alpha, backend, cluster):
    cluster.answer(
        "POST",
        "/jiyue-test/_search",
        200,
        {
            "hits": {"total": {"value": 0}, "hits": []},
            "aggregations": {k: {"buckets": []} for k in ("site", "type", "year")},
        },
    )
    backend.search(search_request(alpha, q="道路"))
    filters = cluster.sent("POST", "/_search")[0][2]["query"]["function_score"]["query"]["bool"][
        "filter"
    ]
    assert {"terms": {"site_id": [alpha.pk]}} in filters


def test_rebuild_fills_a_new_index_and_swaps_the_alias_atomically(alpha, backend, cluster):
    library_item(alpha, "重建索引的条目")
    cluster.answer("PUT", "/jiyue-test-v", 200, {"acknowledged": True})
    cluster.answer("PUT", "/_bulk", 200, bulk_ok)
    cluster.answer("POST", "/jiyue-test-v", 200, {"_shards": {}})  # refresh
    cluster.answer("HEAD", "/_alias/jiyue-test", 200)
    cluster.answer(
        "GET", "/_alias/jiyue-test", 200, {"jiyue-test-vOLD": {"aliases": {"jiyue-test": {}}}}
    )
    cluster.answer("POST", "/_aliases", 200, {"acknowledged": True})
    cluster.answer("DELETE", "/jiyue-test-vOLD", 200, {"acknowledged": True})
    done = backend.rebuild()
    assert done >= 1
    new_index = cluster.sent("PUT", "/jiyue-test-v")[0][1].split("?")[0].strip("/")
    swap = cluster.sent("POST", "/_aliases")[-1][2]["actions"]
    assert swap == [
        {"remove": {"index": "jiyue-test-vOLD", "alias": "jiyue-test"}},
        {"add": {"index": new_index, "alias": "jiyue-test"}},
    ]
    order = [(m, p.split("?")[0]) for m, p, _ in cluster.requests]
    assert order.index(("POST", "/_aliases")) < order.index(("DELETE", "/jiyue-test-vOLD"))


def test_unsegment_joins_chinese_but_keeps_spaces_between_latin_words():
    assert unsegment("城市 <mark>道路</mark> 维修") == "城市<mark>道路</mark>维修"
    assert unsegment("iPhone 用户 can upgrade") == "iPhone 用户 can upgrade"


# --- An unreachable cluster: the real client against a closed port -----------------------------


@pytest.fixture
def dead_cluster(settings):
    settings.FEDERATION_SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"
    yield
    backends._cache.clear()


def test_with_the_cluster_down_publishing_succeeds_at_once_and_the_search_step_waits(
    alpha, dead_cluster, publish, settings
):
    from datetime import timedelta

    from federation.library import consumers

    started = time.perf_counter()
    page = publish(alpha, "集群宕机时发布的信息", "正文")
    assert time.perf_counter() - started < 2.0
    key = f"alpha:{page.translation_key}"
    item = LibraryItem.objects.get(item_key=key)
    assert not item.withdrawn  # the library itself is up to date
    assert OutboxEvent.objects.get(item_key=key).processed_at is not None
    step = ConsumerStep.objects.get(item=item, consumer="search")
    assert step.done_at is None and step.attempts == 1 and "Connection" in step.last_error
    # …while the other consumer was not held up by the dead cluster.
    assert ConsumerStep.objects.get(item=item, consumer="syndication").done_at is not None
    # The cluster "returns" (here: the PostgreSQL backend); the sweep finishes the job.
    settings.FEDERATION_SEARCH_BACKEND = "postgres"
    ConsumerStep.objects.filter(pk=step.pk).update(last_attempt_at=None)
    assert consumers.sweep(older_than=timedelta(0)) >= 1
    assert ConsumerStep.objects.get(pk=step.pk).done_at is not None
    assert backends.get_backend().search(search_request(alpha, q="集群宕机")).total == 1


def test_with_the_cluster_down_search_says_so_instead_of_failing(alpha, dead_cluster):
    started = time.perf_counter()
    response = Client().get("/search/", {"q": "道路"}, HTTP_HOST="alpha.localhost")
    assert response.status_code == 503 and "检索服务暂时不可用" in response.content.decode()
    api = Client().get("/api/search/", {"q": "道路"}, HTTP_HOST="alpha.localhost")
    assert api.status_code == 503 and api.json()["messages"]
    assert time.perf_counter() - started < 3.0
    with pytest.raises(SearchUnavailable):
        backends.get_backend().search(search_request(alpha, q="道路"))


# --- A real cluster, where there is one -----------------------------------------------------------


@pytest.mark.skipif(
    not os.environ.get("ELASTICSEARCH_URL"),
    reason="ELASTICSEARCH_URL is not set: no Elasticsearch cluster on this machine",
)
def test_against_a_real_cluster(alpha, beta, publish, settings):
    settings.FEDERATION_SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_INDEX = f"jiyue-test-{unique('it').lower()}"
    backends._cache.clear()
    backend = backends.get_backend()
    try:
        marker = unique("es")
        publish(
            alpha,
            f"城区道路维修工程 {marker}",
            "主干道维修期间请绕行。",
            date=datetime.date(2025, 3, 1),
        )
        publish(alpha, f"节日出行提示 {marker}", "请注意出行交通，确保人身安全。", column="tzgg")
        publish(beta, f"乙局道路养护 {marker}", "道路养护作业。", column="bmdt")
        backend.client.indices.refresh(index=backend.alias)
        found = backend.search(search_request(alpha, q=f"道路 {marker}", scope="all"))
        assert found.total == 2 and {f.value for f in found.facets["site"]} == {"alpha", "beta"}
        assert "<mark>道路</mark>" in found.hits[0].snippet_html
        assert backend.search(search_request(alpha, q=f"出行安全 {marker}")).total == 1
        assert backend.search(search_request(alpha, q=f"道路 {marker}")).total == 1  # site scope
        # Written again unchanged (a resync), an item keeps its document; changed, it is sent.
        item = LibraryItem.objects.select_related("site").get(
            site=alpha, title=f"城区道路维修工程 {marker}"
        )
        stored = backend.client.get(index=backend.alias, id=item.pk)
        assert stored["_source"]["source_digest"] == source_digest(item)
        backend.index_items([item])
        assert backend.client.get(index=backend.alias, id=item.pk)["_version"] == stored["_version"]
        item.summary = "维修期间公交线路调整。"
        backend.index_items([item])
        again = backend.client.get(index=backend.alias, id=item.pk)
        assert again["_version"] == stored["_version"] + 1
        assert again["_source"]["source_digest"] == source_digest(item)
        backend.rebuild()
        backend.client.indices.refresh(index=backend.alias)
        assert backend.search(search_request(alpha, q=f"道路 {marker}", scope="all")).total == 2
    finally:
        backend.client.indices.delete(index=f"{backend.alias}-v*", ignore_unavailable=True)
        backends._cache.clear()
