"""`/search/` on every site, and `/api/search/` (JSON) with the same parameters.

A site searches itself by default and all sites with `scope=all`; the portal searches all
sites by default. Results link to each item on its own site (public by design: only current,
public items are in the index).
"""

import json
from urllib.parse import urlencode

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from federation.library.models import ItemType

from . import openapi
from .backends import get_backend
from .backends.base import SearchResults, SearchUnavailable
from .query import from_params

UNAVAILABLE = "检索服务暂时不可用，请稍后再试。"


def run_search(request):
    search_request = from_params(request.GET, website=getattr(request, "tenant", None))
    try:
        return get_backend().search(search_request), 200
    except SearchUnavailable:
        results = SearchResults(search_request, notes=[*search_request.notes, UNAVAILABLE])
        return results, 503


def _url(params: dict) -> str:
    pairs = [(k, v) for k, values in params.items() for v in values if v not in ("", None)]
    return "?" + urlencode(pairs)


@require_GET
def search_page(request):
    results, status = run_search(request)
    req = results.request
    params = {
        "q": [req.text],
        "scope": [req.scope],
        "site": list(req.sites),
        "type": list(req.types),
        "year": [str(y) for y in req.years],
        "sort": [req.sort] if req.sort != "relevance" else [],
    }
    for key, facet in results.facets.items():
        for value in facet:
            chosen = params[key]
            toggled = (
                [v for v in chosen if v != value.value]
                if value.selected
                else [*chosen, value.value]
            )
            value.url = _url({**params, key: toggled})
    pages = {}
    if req.page > 1:
        pages["previous"] = _url({**params, "page": [str(min(req.page - 1, results.num_pages))]})
    if req.page < results.num_pages:
        pages["next"] = _url({**params, "page": [str(req.page + 1)]})
    context = {
        "results": results,
        "req": req,
        "pages": pages,
        "scope_all_url": _url({**params, "scope": ["all"], "site": [], "page": []}),
        "scope_site_url": _url({**params, "scope": ["site"], "site": [], "page": []}),
        "sort_urls": {s: _url({**params, "sort": [s]}) for s in ("relevance", "date")},
        "any_facet_selected": bool(req.sites or req.types or req.years),
        "clear_facets_url": _url({"q": [req.text], "scope": [req.scope]}),
    }
    return render(request, "search/search_page.html", context, status=status)


def hit_json(hit) -> dict:
    item = hit.item
    return {
        "title": item.title,
        "title_html": str(hit.title_html),
        "url": item.url,
        "site": {"schema": item.site.schema_name, "name": item.site.legal_name},
        "type": item.item_type,
        "type_label": str(ItemType(item.item_type).label)
        if item.item_type in ItemType.values
        else item.item_type,
        "category": item.category,
        # the site's calendar (Asia/Shanghai), not UTC's: midnight in Beijing is 16:00 UTC
        "date": timezone.localdate(item.published_at).isoformat() if item.published_at else None,
        "snippet_html": str(hit.snippet_html),
        "score": round(hit.score, 6),
        "document_number": item.document_number,
        "index_number": item.index_number,
    }


@require_GET
def search_api(request):
    asked = from_params(request.GET, website=getattr(request, "tenant", None))
    if asked.errors:
        return safe_json({"error": " ".join(asked.errors), "messages": asked.errors}, 400)
    results, status = run_search(request)
    req = results.request
    body = {
        "query": req.text,
        "scope": req.scope,
        "sort": req.sort,
        "page": req.page,
        "per_page": req.per_page,
        "total": results.total,
        "total_estimated": results.estimated,
        "num_pages": results.num_pages,
        "results": [hit_json(h) for h in results.hits],
        "facets": {
            k: [
                {"value": f.value, "label": f.label, "count": f.count, "selected": f.selected}
                for f in v
            ]
            for k, v in results.facets.items()
        },
        "messages": results.notes,
    }
    return safe_json(body, status)


def safe_json(body: dict, status: int = 200) -> HttpResponse:
    """JSON whose strings cannot close a script tag or open markup if a client misuses it:
    <, > and & are written as unicode escapes (values are unchanged for JSON readers)."""
    text = json.dumps(body, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return HttpResponse(text, status=status, content_type="application/json")


@require_GET
def search_api_schema(request):
    return JsonResponse(openapi.schema(request), json_dumps_params={"ensure_ascii": False})
