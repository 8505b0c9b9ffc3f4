"""A read-only JSON API over the resource library (T1): other government systems take the
platform's content by site, type, column and date, a page at a time.

`/api/library/items/` on every site's host; `/api/library/openapi.json` describes it. Only
current items of active sites (what the public sites show); nothing an editor has not
published. Rate-limited per address like search (security: RATE_LIMITS["api"]).
"""

import datetime
import json

from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from tenants.models import Website

from .links import absolute_url
from .models import ItemType, LibraryItem

PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 500


def _json(body: dict, status: int = 200) -> HttpResponse:
    # <, > and & as unicode escapes: a client that pastes a value into HTML cannot be tricked.
    text = json.dumps(body, ensure_ascii=False, default=str)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return HttpResponse(text, status=status, content_type="application/json")


def _date(value: str, name: str, errors: list[str]) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        errors.append(f"{name} 应为 YYYY-MM-DD 格式的日期，如 2026-12-01")
        return None


def _int(value: str, name: str, default: int, low: int, high: int, errors: list[str]) -> int:
    if not value:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        errors.append(f"{name} 应为 {low} 到 {high} 之间的整数")
        return default
    return int(value)


def item_json(item: LibraryItem) -> dict:
    return {
        "key": item.item_key,
        "title": item.title,
        "summary": item.summary,
        "url": item.url,
        "site": {"schema": item.site.schema_name, "name": item.site.legal_name},
        "type": item.item_type,
        "type_label": ItemType(item.item_type).label if item.item_type in ItemType.values else "",
        "column": item.category,
        "language": item.language,
        "published_at": item.published_at.isoformat() if item.published_at else None,
        "updated_at": item.updated_at.isoformat() if item.updated_at else None,
        "index_number": item.index_number,
        "document_number": item.document_number,
        "issuer": item.issuer,
    }


@require_GET
def items(request):
    """Items, newest first. Filters: site (schema; default this site, `all` for every site),
    type (repeatable), column (the column's title as the item shows it), since/until (dates of
    publication, inclusive), page, per_page."""
    errors: list[str] = []
    params = request.GET
    here = getattr(request, "tenant", None)
    site_param = params.get("site", "")
    queryset = LibraryItem.objects.filter(
        withdrawn=False, site__status=Website.Status.ACTIVE, site__kind__in=Website.SITE_KINDS
    ).select_related("site")
    if site_param and site_param != "all":
        queryset = queryset.filter(site__schema_name=site_param)
    elif not site_param and here is not None and here.kind != Website.Kind.PORTAL:
        queryset = queryset.filter(site=here)
    types = params.getlist("type")
    unknown = [t for t in types if t not in ItemType.values]
    if unknown:
        errors.append(f"type 只能是 {', '.join(ItemType.values)} 之一（收到 {', '.join(unknown)}）")
    elif types:
        queryset = queryset.filter(item_type__in=types)
    if params.get("column"):
        queryset = queryset.filter(category=params["column"][:255])
    since = _date(params.get("since", ""), "since", errors)
    until = _date(params.get("until", ""), "until", errors)
    tz = timezone.get_current_timezone()
    if since:
        queryset = queryset.filter(
            published_at__gte=datetime.datetime.combine(since, datetime.time.min, tz)
        )
    if until:
        queryset = queryset.filter(
            published_at__lt=datetime.datetime.combine(
                until + datetime.timedelta(days=1), datetime.time.min, tz
            )
        )
    number = _int(params.get("page", ""), "page", 1, 1, MAX_PAGE, errors)
    per_page = _int(params.get("per_page", ""), "per_page", PER_PAGE, 1, MAX_PER_PAGE, errors)
    if errors:
        return _json({"error": "；".join(errors), "messages": errors}, 400)
    paginator = Paginator(queryset.order_by("-published_at", "-pk"), per_page)
    page = paginator.get_page(number)
    base = request.path
    return _json(
        {
            "page": page.number,
            "per_page": per_page,
            "total": paginator.count,
            "num_pages": paginator.num_pages,
            "next": _page_link(request, base, page.number + 1) if page.has_next() else None,
            "results": [item_json(item) for item in page.object_list],
        }
    )


def _page_link(request, base: str, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return f"{base}?{query.urlencode()}"


@require_GET
def openapi(request):
    return JsonResponse(schema(request), json_dumps_params={"ensure_ascii": False})


def _param(name, description, schema, many=False):
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "array", "items": schema} if many else schema,
        **({"style": "form", "explode": True} if many else {}),
    }


def schema(request=None) -> dict:
    website = getattr(request, "tenant", None) if request is not None else None
    server = absolute_url(website, "/") if getattr(website, "primary_domain", "") else "/"
    item = {
        "type": "object",
        "properties": {
            "key": {"type": "string", "description": "<schema>:<page UUID>, stable"},
            "title": {"type": "string"},
            "summary": {"type": "string"},
            "url": {"type": "string", "format": "uri"},
            "site": {
                "type": "object",
                "properties": {"schema": {"type": "string"}, "name": {"type": "string"}},
            },
            "type": {"type": "string", "enum": list(ItemType.values)},
            "type_label": {"type": "string"},
            "column": {"type": "string"},
            "language": {"type": "string"},
            "published_at": {"type": ["string", "null"], "format": "date-time"},
            "updated_at": {"type": ["string", "null"], "format": "date-time"},
            "index_number": {"type": "string", "description": "索引号"},
            "document_number": {"type": "string", "description": "文号"},
            "issuer": {"type": "string"},
        },
    }
    error = {
        "type": "object",
        "properties": {
            "error": {"type": "string", "description": "what went wrong, in Chinese"},
            "messages": {"type": "array", "items": {"type": "string"}},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "集约 resource library",
            "version": "1.0",
            "description": "Read-only: every current, public item of the platform's sites, "
            "newest first. Rate-limited per client address (429 with a JSON error).",
        },
        "servers": [{"url": server}],
        "paths": {
            "/api/library/items/": {
                "get": {
                    "summary": "List items",
                    "operationId": "listItems",
                    "parameters": [
                        _param(
                            "site",
                            "a site's schema name, or `all`; default: this site (all on the "
                            "portal)",
                            {"type": "string"},
                        ),
                        _param(
                            "type",
                            "only these item types (an unknown value is a 400)",
                            {"type": "string", "enum": list(ItemType.values)},
                            many=True,
                        ),
                        _param("column", "the column's title, exactly", {"type": "string"}),
                        _param(
                            "since",
                            "published on or after",
                            {"type": "string", "format": "date"},
                        ),
                        _param(
                            "until",
                            "published on or before",
                            {"type": "string", "format": "date"},
                        ),
                        _param(
                            "page",
                            f"1-based page (at most {MAX_PAGE})",
                            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                        ),
                        _param(
                            "per_page",
                            f"items per page (default {PER_PAGE})",
                            {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": "a page of items",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "page": {"type": "integer"},
                                            "per_page": {"type": "integer"},
                                            "total": {"type": "integer"},
                                            "num_pages": {"type": "integer"},
                                            "next": {"type": ["string", "null"]},
                                            "results": {"type": "array", "items": item},
                                        },
                                    }
                                }
                            },
                        },
                        "400": {
                            "description": "a malformed parameter",
                            "content": {"application/json": {"schema": error}},
                        },
                        "429": {
                            "description": "too many requests from this address",
                            "content": {"application/json": {"schema": error}},
                        },
                    },
                }
            }
        },
    }
