"""The hall at /wsbs/ on every site, an item's guide from the library, and applying online."""

from urllib.parse import urlencode, urljoin, urlsplit

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sites.services.models import THEMES
from tenants.models import Website

from . import hall
from .services import life_event_names


def _url(params: dict, **change) -> str:
    merged = {**params, **change}
    return "?" + urlencode([(k, v) for k, v in merged.items() if v])


@require_GET
def hall_page(request):
    website = request.tenant
    filters = hall.Filters.from_params(request.GET)
    items = hall.service_items(website)
    facets = hall.facet_counts(items, filters, life_event_names(), THEMES)
    params = filters.params()
    names = {"theme": "theme", "event": "event", "level": "level", "kind": "kind", "site": "dept"}
    for key, values in facets.items():
        for facet in values:
            facet.url = _url(params, **{names[key]: "" if facet.selected else facet.value})
    page_obj = hall.listing(items, filters, request.GET.get("page"))
    is_portal = website.kind == Website.Kind.PORTAL
    rows = [
        {
            "title": item.title,
            "url": f"/wsbs/item/{item.pk}/" if is_portal else urlsplit(item.url).path,
            "department": item.site.short_name or item.site.legal_name,
            "kind": hall.SERVICE_TYPES.get(item.extra.get("service_item_type"), ""),
            "level": item.extra.get("online_level") or 1,
            "level_label": hall.LEVELS.get(item.extra.get("online_level") or 1),
            "summary": item.summary,
        }
        for item in page_obj.object_list
    ]
    return render(
        request,
        "onestop/hall.html",
        {
            "facets": facets,
            "filters": filters,
            "page_obj": page_obj,
            "rows": rows,
            "is_portal": is_portal,
            "any_filter": any(params.values()),
            "page_query": _url(params),
        },
    )


def _absolute_documents(guide: dict, item_url: str) -> dict:
    """A guide's blank forms are documents of the department's site: links on its domain."""
    for material in guide.get("materials") or []:
        for key in ("blank_form", "sample"):
            document = material.get(key)
            if document and document.get("url", "").startswith("/"):
                document["url"] = urljoin(item_url, document["url"])
    return guide


def item_for(website, pk):
    """A current service item the site may show: any on the portal, its own elsewhere."""
    item = hall.service_items(website).select_related("site").filter(pk=pk).first()
    if item is None:
        raise Http404("没有找到该办事事项：它可能已撤下，请回到网上办事大厅查找。")
    return item


@require_GET
def item_page(request, pk):
    item = item_for(request.tenant, pk)
    guide = _absolute_documents(dict(item.extra.get("guide") or {}), item.url)
    parallel = list(
        Website.objects.filter(schema_name__in=guide.get("parallel_sites") or []).values_list(
            "legal_name", flat=True
        )
    )
    return render(
        request,
        "onestop/item.html",
        {
            "item": item,
            "guide": guide,
            "department": item.site.legal_name,
            "department_url": item.url,
            "parallel_names": parallel,
            "apply_url": f"/wsbs/item/{item.pk}/apply/"
            if (guide.get("online_level") or 1) >= 3
            else "",
        },
    )
