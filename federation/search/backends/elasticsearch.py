"""Elasticsearch at scale (ELASTICSEARCH_URL), through the `elasticsearch.dsl` API.

Same terms as PostgreSQL: texts are cut by jieba here (segment.py) and sent pre-segmented;
the index only splits on spaces and lower-cases, so no analysis plugin is needed and both
backends match the same words. One versioned index (`<alias>-v<timestamp>`) sits behind the
alias; a full rebuild fills a new index, then moves the alias in one atomic call.

Every document carries the digest of what it was made from (`source_digest`); a write reads the
stored digests of its items with one mget and sends only the documents that changed, so a
resync of unchanged pages cuts no text and re-sends nothing, as PostgreSQL keeps its rows.

Timeouts are short and there are no retries: indexing runs in an outbox task, which records
the failure and is retried by the sweep; a cluster that is down never holds up publishing.
"""

import logging
import re

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe
from elasticsearch import Elasticsearch, helpers
from elasticsearch.dsl import (
    Date,
    Document,
    Index,
    Integer,
    Keyword,
    Long,
    Q,
    Search,
    Text,
    analyzer,
)

from federation.library.models import LibraryItem

from .. import segment
from ..documents import digest, identifiers, local_year
from ..query import SearchRequest
from .base import SearchBackend, SearchResults, SearchUnavailable

log = logging.getLogger("jiyue.search")

MAX_RESULT_WINDOW = 10_000
# What a document is made of, as a version: change it with anything that changes a document
# built from the same item (segmentation, fields), and every item's next write sends it anew.
DOCUMENT_FORMAT = f"1 {segment.CUTTER_VERSION}"
# Pre-segmented text: split on whitespace, lower-case, nothing else.
segmented = analyzer("jiyue_segmented", tokenizer="whitespace", filter=["lowercase"])


class LibraryDocument(Document):
    """One current library item. `*_terms` fields hold jieba terms with sub-words (matching);
    `title` and `text` hold the words as cut (phrases and highlighting)."""

    site_id = Integer()
    site = Keyword()
    item_type = Keyword()
    category = Keyword()
    title = Text(analyzer=segmented)
    title_terms = Text(analyzer=segmented)
    text = Text(analyzer=segmented)
    terms = Text(analyzer=segmented)
    identifiers = Keyword()
    url = Keyword(index=False)
    published_at = Date()
    expires_at = Date()
    year = Integer()
    source_digest = Long(index=False)  # compared by id (mget), never searched

    @classmethod
    def from_item(cls, item: LibraryItem) -> "LibraryDocument":
        body = f"{item.summary}\n{item.text}"
        extra = f"{item.document_number} {item.index_number} {item.category} {item.issuer}"
        return cls(
            meta={"id": item.pk},
            site_id=item.site_id,
            site=item.site.schema_name,
            item_type=item.item_type,
            category=item.category,
            title=segment.segmented(item.title),
            title_terms=segment.search_terms(f"{item.title} {extra}"),
            text=segment.segmented(body),
            terms=segment.search_terms(body),
            identifiers=identifiers(item),
            url=item.url,
            published_at=item.published_at,
            expires_at=item.expires_at,
            year=local_year(item.published_at),
            source_digest=source_digest(item),
        )


def source_digest(item: LibraryItem) -> int:
    """A digest of everything `LibraryDocument.from_item` makes the document from, and the
    format: equal digests, equal documents, computed without cutting any text."""
    return digest(
        DOCUMENT_FORMAT,
        item.pk,
        item.site_id,
        item.site.schema_name,
        item.item_type,
        item.category,
        item.title,
        item.summary,
        item.text,
        item.document_number,
        item.index_number,
        item.issuer,
        item.url,
        item.published_at.isoformat() if item.published_at else "",
        item.expires_at.isoformat() if item.expires_at else "",
    )


def index_name(alias: str, version: str | None = None) -> str:
    """The versioned index behind `alias`: the one place index names are made."""
    return f"{alias}-v{version or timezone.now().strftime('%Y%m%d%H%M%S%f')}"


def build_index(name: str) -> Index:
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=0, max_result_window=MAX_RESULT_WINDOW)
    index.document(LibraryDocument)
    return index


_CJK = "\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_JOINS = [
    re.compile(p)
    for p in (
        rf"(?<=[{_CJK}]) (?=[{_CJK}])",
        rf"(?<=[{_CJK}]) (?=<mark>[{_CJK}])",
        rf"(?<=[{_CJK}]</mark>) (?=[{_CJK}])",
        rf"(?<=[{_CJK}]</mark>) (?=<mark>[{_CJK}])",
    )
]


def unsegment(fragment: str) -> str:
    """Remove the spaces segmentation put between Chinese words in a highlight fragment."""
    for pattern in _JOINS:
        fragment = pattern.sub("", fragment)
    return fragment


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, client: Elasticsearch | None = None, alias: str | None = None):
        self.alias = alias or settings.ELASTICSEARCH_INDEX
        self._client = client
        self._index_ready = False

    @property
    def client(self) -> Elasticsearch:
        if self._client is None:
            if not settings.ELASTICSEARCH_URL:
                raise SearchUnavailable("ELASTICSEARCH_URL is not set")
            self._client = Elasticsearch(
                settings.ELASTICSEARCH_URL,
                request_timeout=settings.ELASTICSEARCH_TIMEOUT,
                max_retries=0,
                retry_on_timeout=False,
            )
        return self._client

    # --- writing ---

    def ensure_index(self) -> None:
        """Create the first versioned index and its alias if there is none yet."""
        if self._index_ready:
            return
        if not self.client.indices.exists_alias(name=self.alias):
            name = index_name(self.alias)
            build_index(name).create(using=self.client)
            self.client.indices.update_aliases(
                actions=[{"add": {"index": name, "alias": self.alias}}]
            )
        self._index_ready = True

    def _actions(self, items, index):
        for item in items:
            if self.is_indexable(item):
                yield {
                    "_op_type": "index",
                    "_index": index,
                    "_id": item.pk,
                    "_source": LibraryDocument.from_item(item).to_dict(),
                }
            else:
                yield {"_op_type": "delete", "_index": index, "_id": item.pk}

    def _bulk(self, items, index) -> int:
        ok, errors = helpers.bulk(
            self.client,
            self._actions(items, index),
            chunk_size=500,
            raise_on_error=False,
            max_retries=0,
        )
        # Deleting what is not there is fine: the item was never indexed, or already removed.
        real = [e for e in errors if e.get("delete", {}).get("status") != 404]
        if real:
            raise RuntimeError(f"Elasticsearch refused {len(real)} documents: {real[:3]}")
        return ok

    def index_items(self, items) -> None:
        items = list(items)
        if items:
            self.ensure_index()
            self._bulk(self._outdated(items), self.alias)

    def _outdated(self, items) -> list:
        """The items whose document must be written or deleted: withdrawn ones, and current
        ones whose stored document was made from something else (or is missing). One mget of
        the current items' digests; a cluster that cannot answer raises (the outbox retries)."""
        digests = {item.pk: source_digest(item) for item in items if self.is_indexable(item)}
        if not digests:
            return items
        stored = self.client.mget(
            index=self.alias, ids=[str(pk) for pk in digests], source_includes=["source_digest"]
        )
        kept = {
            int(doc["_id"])
            for doc in stored["docs"]
            if doc.get("found")
            and doc.get("_source", {}).get("source_digest") == digests[int(doc["_id"])]
        }
        return [item for item in items if item.pk not in kept]

    def rebuild(self, site=None, progress=None) -> int:
        items = (
            LibraryItem.objects.select_related("site")
            .filter(withdrawn=False, site__status="active")
            .order_by("pk")
        )
        if site is not None:
            self.ensure_index()
            self.client.delete_by_query(
                index=self.alias,
                query={"term": {"site_id": site.pk}},
                refresh=True,
                conflicts="proceed",
            )
            items = items.filter(site=site)
            return self._fill(items, self.alias, progress)
        started = timezone.now()
        new = index_name(self.alias)
        build_index(new).create(using=self.client)
        done = self._fill(items, new, progress)
        self.client.indices.refresh(index=new)
        old = (
            list(self.client.indices.get_alias(name=self.alias).keys())
            if self.client.indices.exists_alias(name=self.alias)
            else []
        )
        actions = [{"remove": {"index": o, "alias": self.alias}} for o in old]
        actions.append({"add": {"index": new, "alias": self.alias}})
        self.client.indices.update_aliases(actions=actions)  # atomic: never zero indexes
        # Items that changed while the new index was filled were written to the old one.
        changed = LibraryItem.objects.select_related("site").filter(projected_at__gte=started)
        self._bulk(changed, self.alias)
        for o in old:
            self.client.indices.delete(index=o)
        self._index_ready = True
        return done

    def _fill(self, items, index, progress) -> int:
        total, done, batch = items.count(), 0, []
        for item in items.iterator(chunk_size=500):
            batch.append(item)
            if len(batch) >= 500:
                done += self._bulk(batch, index)
                batch = []
                if progress:
                    progress(done, total)
        if batch:
            done += self._bulk(batch, index)
        if progress:
            progress(done, total)
        return done

    # --- reading ---

    def build_search(self, request: SearchRequest, site_ids: list[int]) -> Search:
        parsed = request.parsed
        must = []
        for group in parsed.groups:
            options = [Q("multi_match", query=group.term, fields=["title_terms^3", "terms"])]
            if group.parts:
                options.append(
                    Q(
                        "bool",
                        must=[
                            Q("multi_match", query=p, fields=["title_terms^3", "terms"])
                            for p in group.parts
                        ],
                    )
                )
            must.append(Q("bool", should=options, minimum_should_match=1))
        for phrase in parsed.phrases:
            must.append(
                Q("multi_match", query=" ".join(phrase), type="phrase", fields=["title^3", "text"])
            )
        should = [Q("bool", must=must)] if must else []
        if parsed.identifier:
            should.append(Q("term", identifiers={"value": parsed.identifier, "boost": 100}))
        text_query = Q("bool", should=should, minimum_should_match=1)
        filters = [
            Q("terms", site_id=site_ids),
            Q(
                "bool",
                should=[
                    Q("bool", must_not=[Q("exists", field="expires_at")]),
                    Q("range", expires_at={"gt": "now"}),
                ],
                minimum_should_match=1,
            ),
        ]
        if request.types:
            filters.append(Q("terms", item_type=request.types))
        if request.years:
            filters.append(Q("terms", year=request.years))
        # Recency as in PostgreSQL: the text score times (1 + a decay from 1 today to 0).
        scored = Q(
            "function_score",
            query=Q("bool", must=[text_query], filter=filters),
            functions=[
                {"weight": 1},
                {"gauss": {"published_at": {"origin": "now", "scale": "180d", "decay": 0.5}}},
            ],
            score_mode="sum",
            boost_mode="multiply",
        )
        search = Search(using=self.client, index=self.alias).query(scored)
        search = search.extra(track_total_hits=True, from_=request.offset, size=request.per_page)
        if request.sort == "date":
            search = search.sort({"published_at": {"order": "desc", "missing": "_last"}}, "_score")
        search = search.highlight_options(
            pre_tags=["<mark>"],
            post_tags=["</mark>"],
            encoder="html",
            fragment_size=120,
            number_of_fragments=1,
            require_field_match=False,
            no_match_size=0,
        ).highlight("text")
        search.aggs.bucket("site", "terms", field="site_id", size=500)
        search.aggs.bucket("type", "terms", field="item_type", size=20)
        search.aggs.bucket("year", "terms", field="year", size=100)
        return search

    def find(self, request: SearchRequest, site_ids: list[int], results: SearchResults) -> None:
        if request.offset + request.per_page > MAX_RESULT_WINDOW:
            results.notes.append("结果页过深，请缩小检索范围。")
            return
        try:
            response = self.build_search(request, site_ids).execute()
        except Exception as exc:
            log.warning("Elasticsearch search failed", exc_info=True)
            raise SearchUnavailable(str(exc)) from exc
        results.total = response.hits.total.value
        highlights = {}
        ids_scores = []
        for hit in response.hits:
            item_id = int(hit.meta.id)
            ids_scores.append((item_id, float(hit.meta.score or 0)))
            fragments = getattr(getattr(hit.meta, "highlight", None), "text", None)
            if fragments:
                # encoder="html": Elasticsearch escaped the text; only our <mark> tags are markup.
                highlights[item_id] = mark_safe(unsegment(fragments[0]))  # noqa: S308
        results.hits = self.hydrate(ids_scores, request, highlights)
        aggs = response.aggregations
        results.facets = self.label_facets(
            request,
            {int(b.key): b.doc_count for b in aggs.site.buckets},
            {b.key: b.doc_count for b in aggs.type.buckets},
            {int(b.key): b.doc_count for b in aggs.year.buckets},
        )
        if results.total and not results.hits:
            results.notes.append(f"没有第{request.page}页：共{results.num_pages}页结果。")
        elif not results.total:
            results.notes.append("没有找到相关信息，请换用其他检索词或扩大检索范围。")
