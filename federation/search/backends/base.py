"""What every backend provides, and what they share: scope, facets' labels, hydration."""

from dataclasses import dataclass, field

from federation.library.models import ItemType, LibraryItem
from tenants.models import Website

from .. import highlight
from ..query import SearchRequest


class SearchUnavailable(Exception):
    """The backend could not answer (cluster down); the visitor is told to try again shortly."""


@dataclass
class Hit:
    item: LibraryItem
    score: float
    title_html: str
    snippet_html: str


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False
    url: str = ""  # set by the view: this page's URL with the value toggled


@dataclass
class SearchResults:
    request: SearchRequest
    total: int = 0
    estimated: bool = False  # the total and the facet counts come from a sample (约)
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))


class SearchBackend:
    name = ""
    # True when index writes join the caller's database transaction (PostgreSQL).
    transactional = False

    def index_items(self, items) -> None:
        """Make the index agree with these library items: current ones in, withdrawn ones out."""
        raise NotImplementedError

    def search(self, request: SearchRequest) -> SearchResults:
        """What every search begins with: the request's own notes, then the answers that need
        no index (nothing to search for, no site to search in); the backend's `find` does the
        rest."""
        results = SearchResults(request, notes=list(request.notes))
        notes = self.empty_notes(request)
        if notes:
            results.notes += notes
            return results
        site_ids = self.site_ids(request)
        if not site_ids:
            results.notes.append("所选网站没有可检索的信息。")
            return results
        self.find(request, site_ids, results)
        return results

    def find(self, request: SearchRequest, site_ids: list[int], results: SearchResults) -> None:
        """Fill `results` (total, hits, facets, notes) with the matches in these sites."""
        raise NotImplementedError

    def rebuild(self, site: Website | None = None, progress=None) -> int:
        """Rebuild from the library without taking search offline; returns items indexed."""
        raise NotImplementedError

    # --- shared by the backends ---

    @staticmethod
    def is_indexable(item: LibraryItem) -> bool:
        return not item.withdrawn and item.site.status == Website.Status.ACTIVE

    @staticmethod
    def site_ids(request: SearchRequest) -> list[int]:
        """Sites this search may return: active sites, within the scope and the site facet."""
        sites = Website.objects.filter(status=Website.Status.ACTIVE, kind__in=Website.SITE_KINDS)
        if request.scope == "site":
            sites = sites.filter(pk=request.site_id)
        if request.sites:
            sites = sites.filter(schema_name__in=request.sites)
        found = list(sites.values_list("pk", "schema_name", "short_name"))
        # Facet labels come from the same rows (no second query): a count's site is one of these.
        request._site_names = {
            pk: (schema_name, short_name) for pk, schema_name, short_name in found
        }
        return [pk for pk, _, _ in found]

    @staticmethod
    def empty_notes(request: SearchRequest) -> list[str]:
        if not request.text:
            return ["请输入检索词。"]
        if request.parsed.empty:
            return ["检索词中没有可检索的文字，请换用其他词语。"]
        return []

    @staticmethod
    def hydrate(ids_scores, request: SearchRequest, highlights=None) -> list[Hit]:
        """Library items for the ids of a result page, in order, with marked title and snippet."""
        ids = [i for i, _ in ids_scores]
        items = LibraryItem.objects.select_related("site").in_bulk(ids)
        terms = request.parsed.highlight_terms()
        hits = []
        for item_id, score in ids_scores:
            item = items.get(item_id)
            if item is None:
                continue
            snippet = (highlights or {}).get(item_id) or highlight.snippet(
                item.text or item.summary, terms
            )
            hits.append(Hit(item, score, highlight.mark(item.title, terms), snippet))
        return hits

    @staticmethod
    def label_facets(request: SearchRequest, sites: dict, types: dict, years: dict):
        """Facet values with labels, largest first (years newest first), selected ones marked."""
        known = getattr(request, "_site_names", None)
        if known is None:
            known = {
                pk: (schema_name, short_name)
                for pk, schema_name, short_name in Website.objects.filter(
                    pk__in=list(sites)
                ).values_list("pk", "schema_name", "short_name")
            }
        names = {pk: schema_name for pk, (schema_name, _) in known.items()}
        labels = {pk: short_name for pk, (_, short_name) in known.items()}
        type_labels = dict(ItemType.choices)
        return {
            "site": sorted(
                (
                    FacetValue(names[pk], labels[pk], n, names[pk] in request.sites)
                    for pk, n in sites.items()
                    if pk in names
                ),
                key=lambda f: (-f.count, f.value),
            ),
            "type": sorted(
                (
                    FacetValue(t, str(type_labels.get(t, t)), n, t in request.types)
                    for t, n in types.items()
                ),
                key=lambda f: (-f.count, f.value),
            ),
            "year": sorted(
                (
                    FacetValue(str(y), f"{y}年", n, y in request.years)
                    for y, n in years.items()
                    if y is not None
                ),
                key=lambda f: f.value,
                reverse=True,
            ),
        }
