"""Purging the page cache: the API other code calls when content changes.

    from pagecache.services import purge_all, purge_page, purge_paths, purge_site

    purge_page(schema, page)      # a page changed: its URL, its ancestors' listings, home
    purge_paths(schema, paths)    # exact URL paths on that site, e.g. an old URL after a move
    purge_site(schema)            # everything on that site (identity, navigation, domains)
    purge_all()                   # every site (a city-wide broadcast banner)

All three can be called from any schema (the public schema included), inside or outside a
transaction: they compute what to purge at once and purge when the transaction commits
(at once outside a transaction), so a concurrent request cannot re-cache the old content
in between. They never touch another site's entries. Cost: one cache write per call.
"""

import logging

from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import schema_context
from wagtail.models import Page, Site

from config import replica

from . import store

log = logging.getLogger("jiyue.pagecache")
# Above this many descendants, moving or deleting a subtree purges the whole site: cheaper
# than computing thousands of old paths, and such changes are rare.
MAX_DESCENDANTS_PURGED_ONE_BY_ONE = 50


def purge_all() -> None:
    """Everything cached on every site: for what every page shows (city-wide broadcasts)."""
    _after_commit(_bump_all)


def purge_site(schema: str) -> None:
    """Everything cached for the site in `schema`: after identity, navigation or domain changes."""
    _after_commit(lambda: _bump_site(schema))


def purge_paths(schema: str, paths) -> None:
    """Every cached variant (host, query, language) of these URL paths on that site."""
    paths = {p for p in paths if p}
    if paths:
        _after_commit(lambda: _bump_paths(schema, paths))


def purge_page(schema: str, page) -> None:
    """A page changed (published, unpublished, moved, deleted, a syndicated copy arrived
    or was withdrawn): purge its URL, every ancestor (the column listings that show it)
    up to the home page, on that site only. `page` is a wagtail Page of that schema, or
    its id. A top-level column shown in the navigation appears on every page of the site,
    so it purges the site.
    """
    with schema_context(schema):
        paths, whole_site = affected_paths(page)
    if whole_site:
        purge_site(schema)
    else:
        purge_paths(schema, paths)


def affected_paths(page, *, url_path: str | None = None) -> tuple[set[str], bool]:
    """(public URL paths to purge, whether the whole site must go) for a page, in the current schema.

    `url_path` overrides the page's own url_path (its old one, after a move or slug change).
    """

    if not isinstance(page, Page):
        page = Page.objects.filter(pk=page).first()
        if page is None:
            return set(), False
    roots = _site_roots()
    own = url_path or page.url_path
    root_path = _root_for(own, roots)
    if root_path is None:
        return set(), False  # outside every site (the tree root): nothing public
    paths = {_public_path(own, root_path)}
    # Sub-URLs the page type lets the cache keep (RoutablePage routes such as "transcript/").
    paths |= {
        _public_path(own, root_path) + sub
        for sub in getattr(page.specific_class, "pagecache_subpaths", ())
    }
    # Ancestors by url_path prefix: no query, and right for an old url_path too.
    parts = own[len(root_path) :].strip("/").split("/") if own != root_path else []
    prefix = _language_prefix(root_path)
    for i in range(len(parts)):
        paths.add(prefix + "/" + "".join(p + "/" for p in parts[:i]))
    in_navigation = len(parts) == 1 and page.show_in_menus
    return paths, in_navigation


def subtree_paths(page, *, old_url_path: str | None = None) -> tuple[set[str], bool]:
    """Paths of a page's descendants (under their old prefix after a move), or whole-site."""
    descendants = page.get_descendants().only("url_path")
    if descendants.count() > MAX_DESCENDANTS_PURGED_ONE_BY_ONE:
        return set(), True
    roots = _site_roots()
    prefix_now, prefix_then = page.url_path, old_url_path or page.url_path
    paths = set()
    for d in descendants:
        old = (
            prefix_then + d.url_path[len(prefix_now) :]
            if d.url_path.startswith(prefix_now)
            else d.url_path
        )
        root_path = _root_for(old, roots)
        if root_path:
            paths.add(_public_path(old, root_path))
    return paths, False


def _site_roots() -> list[str]:
    # Cached by Wagtail in the default cache under a tenant-aware key.
    return sorted((r.root_path for r in Site.get_site_root_paths()), key=len, reverse=True)


def _language_prefix(root_path: str) -> str:
    """'/en' for the root of a site's English tree (served under /en/), '' for the default."""
    for root in Site.get_site_root_paths():
        if root.root_path == root_path and root.language_code not in ("", settings.LANGUAGE_CODE):
            return "/" + root.language_code
    return ""


def _root_for(url_path: str, roots: list[str]) -> str | None:
    return next((r for r in roots if url_path.startswith(r)), None)


def _public_path(url_path: str, root_path: str) -> str:
    return _language_prefix(root_path) + "/" + url_path[len(root_path) :]


# --- after commit: purging before would let a concurrent request re-cache the old page ---


def _after_commit(fn) -> None:
    # robust: a cache outage must not turn a successful publish into an error page; the
    # failure is logged and the entries expire after PAGECACHE_TIMEOUT.
    transaction.on_commit(fn, using=connection.alias, robust=True)


def _bump_all() -> None:
    store.bump_all()
    replica.remember_write(replica.ALL_SITES)  # the next renders must not read older rows
    log.debug("page cache: purged every site")


def _bump_site(schema: str) -> None:
    store.bump_site(schema)
    replica.remember_write(schema)
    log.debug("page cache: purged site %s", schema)


def _bump_paths(schema: str, paths: set[str]) -> None:
    store.bump_paths(schema, paths)
    replica.remember_write(schema)
    log.debug("page cache: purged %s on %s", sorted(paths), schema)
