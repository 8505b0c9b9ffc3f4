"""Depth from home (V1): a page should be a few clicks from the home page.

`clicks_from_home(page)` is the number of clicks from the home page (a column is 1); a page
deeper than the site's `max_depth` setting draws a warning when an editor creates it, and
`pages_too_deep()` lists them for whoever counts (the monitoring scorecard names this function
in its settings list of indicators; this module knows nothing of it).
"""

from wagtail.models import Page, Site

from .models import DEFAULT_MAX_DEPTH, PresentationSettings


def max_depth_for(site: Site | None) -> int:
    if site is None:
        return DEFAULT_MAX_DEPTH
    return PresentationSettings.for_site(site).max_depth or DEFAULT_MAX_DEPTH


def clicks_from_home(depth: int, site: Site) -> int:
    """Clicks from the home page to a page at Wagtail tree `depth` (the home page is 0)."""
    return depth - site.root_page.depth


def too_deep_under(parent: Page, site: Site | None) -> int | None:
    """The clicks a new child of `parent` would need, if more than the site allows."""
    if site is None:
        return None
    clicks = clicks_from_home(parent.depth + 1, site)
    return clicks if clicks > max_depth_for(site) else None


def pages_too_deep(site: Site | None = None) -> list[Page]:
    """Live pages of the site (the current schema's default site) deeper than its setting."""
    site = site or Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        return []
    limit = site.root_page.depth + max_depth_for(site)
    return list(
        Page.objects.live()
        .descendant_of(site.root_page)
        .filter(depth__gt=limit)
        .only("title", "url_path", "depth")
    )


class PageDepth:
    """The scorecard's 栏目层级 indicator (SCORECARD_INDICATORS; monitoring's interface, run in
    the site's schema): live pages deeper than the site's depth limit are a warning, named."""

    code = "navigation.depth"
    label = "栏目层级（距首页点击次数）"
    settings = ()

    def compute(self, site) -> list[dict]:
        deep = pages_too_deep()
        if not deep:
            return []
        limit = max_depth_for(Site.objects.filter(is_default_site=True).first())
        return [
            {
                "severity": "warning",
                "title": f"{len(deep)} 个页面距首页超过 {limit} 次点击",
                "fix": "把这些页面移到上一级栏目，或在首页、栏目页加入口；"
                "层级上限在 设置 → 展示设置 → 栏目最大层级",
                "detail": "、".join(p.title for p in deep[:20])[:500],
                "admin_path": f"/admin/pages/{deep[0].pk}/",
            }
        ]
