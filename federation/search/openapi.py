"""The OpenAPI 3.1 description of `/api/search/`, served at `/api/search/openapi.json`."""

from federation.library.links import absolute_url
from federation.library.models import ItemType

from .query import MAX_PAGE, MAX_QUERY_CHARS, PER_PAGE


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
    facet = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "value": {"type": "string"},
                "label": {"type": "string"},
                "count": {"type": "integer"},
                "selected": {"type": "boolean"},
            },
        },
    }
    hit = {
        "type": "object",
        "properties": {
            "title": {"type": "string"},
            "title_html": {"type": "string", "description": "escaped title, matches in <mark>"},
            "url": {"type": "string", "format": "uri", "description": "the item on its own site"},
            "site": {
                "type": "object",
                "properties": {"schema": {"type": "string"}, "name": {"type": "string"}},
            },
            "type": {"type": "string", "enum": list(ItemType.values)},
            "type_label": {"type": "string"},
            "category": {"type": "string"},
            "date": {
                "type": ["string", "null"],
                "format": "date",
                "description": "publication date on the site's calendar (Asia/Shanghai)",
            },
            "snippet_html": {"type": "string", "description": "escaped excerpt, matches in <mark>"},
            "score": {"type": "number"},
            "document_number": {"type": "string"},
            "index_number": {"type": "string"},
        },
    }
    # The site's configured origin (primary domain, SITE_PUBLIC_PORT), never the Host header a
    # client or a proxy sent: the servers entry is what clients are told to call.
    website = getattr(request, "tenant", None) if request is not None else None
    if website is not None and getattr(website, "primary_domain", ""):
        server = absolute_url(website, "/")
    else:
        server = "/"
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
            "title": "集约 cross-site search",
            "version": "1.0",
            "description": "Searches the resource library: every current, public item of "
            "every site. Chinese is segmented with jieba.",
        },
        "servers": [{"url": server}],
        "paths": {
            "/api/search/": {
                "get": {
                    "summary": "Search this site, or all sites",
                    "operationId": "search",
                    "parameters": [
                        _param(
                            "q",
                            f"words to find (first {MAX_QUERY_CHARS} characters); "
                            '"quotes" for a phrase; a 文号 or 索引号 typed exactly finds its document',
                            {"type": "string", "maxLength": MAX_QUERY_CHARS},
                        ),
                        _param(
                            "scope",
                            "this site (default; all sites on the portal) or all sites",
                            {"type": "string", "enum": ["site", "all"]},
                        ),
                        _param(
                            "site",
                            "only these sites (schema names, from the site facet)",
                            {"type": "string"},
                            many=True,
                        ),
                        _param(
                            "type",
                            "only these item types (an unknown value is a 400)",
                            {"type": "string", "enum": list(ItemType.values)},
                            many=True,
                        ),
                        _param(
                            "year",
                            "only items published in these years",
                            {"type": "integer"},
                            many=True,
                        ),
                        _param(
                            "sort",
                            "relevance (default) or newest first (an unknown value is a 400)",
                            {"type": "string", "enum": ["relevance", "date"]},
                        ),
                        _param(
                            "page",
                            f"1-based page of {PER_PAGE} results (at most {MAX_PAGE})",
                            {"type": "integer", "minimum": 1},
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": "results, facets and messages",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "query": {"type": "string"},
                                            "scope": {"type": "string"},
                                            "sort": {"type": "string"},
                                            "page": {"type": "integer"},
                                            "per_page": {"type": "integer"},
                                            "total": {"type": "integer"},
                                            "total_estimated": {
                                                "type": "boolean",
                                                "description": "true when the total and the facet counts are "
                                                "estimated from a sample (PostgreSQL backend, a "
                                                "word found in tens of thousands of items); the results "
                                                "themselves and their order are never estimated",
                                            },
                                            "num_pages": {"type": "integer"},
                                            "results": {"type": "array", "items": hit},
                                            "facets": {
                                                "type": "object",
                                                "properties": {
                                                    "site": facet,
                                                    "type": facet,
                                                    "year": facet,
                                                },
                                            },
                                            "messages": {
                                                "type": "array",
                                                "items": {"type": "string"},
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        "400": {
                            "description": "an unknown `sort` or `type` value; `error` says "
                            "which, and the values allowed",
                            "content": {"application/json": {"schema": error}},
                        },
                        "429": {
                            "description": "too many searches from this address in a minute "
                            "(the budget is per address and site); wait `Retry-After` seconds",
                            "headers": {
                                "Retry-After": {
                                    "description": "seconds to wait before searching again",
                                    "schema": {"type": "integer"},
                                }
                            },
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "error": {"type": "string"},
                                            "retry_after": {"type": "integer"},
                                        },
                                    }
                                }
                            },
                        },
                        "503": {
                            "description": "the search backend is unavailable; try again shortly"
                        },
                    },
                }
            }
        },
    }
