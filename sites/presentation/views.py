"""Views every site answers beside its page tree: robots.txt, sitemap.xml, the site map (网站地图),
联系我们, the feeds of columns and of the disclosure catalogue, and the per-site favicon."""

from xml.sax.saxutils import escape

from django.contrib.syndication.views import Feed
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.views.decorators.http import require_safe
from wagtail.models import Page, Site

from sites.core.models import ArticlePage, ColumnPage
from sites.core.views import favicon as default_favicon
from sites.disclosure.models import DisclosureItem

from .models import PresentationSettings

SITEMAP_LIMIT = 50_000  # URLs per sitemap file (sitemaps.org)
FEED_ITEMS = 30
SITE_MAP_DEPTH = 3  # levels below home shown on 网站地图


def _site(request) -> Site:
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("没有这个网站")
    return site


def _origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "",
        f"Sitemap: {_origin(request)}/sitemap.xml",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def public_pages(site: Site):
    """This site's pages a visitor can open: live, not behind a password or login."""
    return Page.objects.live().public().descendant_of(site.root_page, inclusive=True)


@require_safe
def sitemap_xml(request):
    """Every public page of this site (and only this site: one schema, its own root), with
    its last change. Past 50 000 URLs, an index of numbered files (`?p=2` …)."""
    site = _site(request)
    origin = _origin(request)
    pages = public_pages(site).order_by("path").values_list("url_path", "last_published_at")
    total = pages.count()
    root_url_path = site.root_page.url_path
    files = max(1, -(-total // SITEMAP_LIMIT))
    number = request.GET.get("p")
    if number is None and files > 1:
        body = "".join(
            f"<sitemap><loc>{escape(origin)}/sitemap.xml?p={n}</loc></sitemap>"
            for n in range(1, files + 1)
        )
        return _xml(f'<sitemapindex xmlns="{SITEMAP_NS}">{body}</sitemapindex>')
    try:
        index = int(number or 1) - 1
    except ValueError:
        raise Http404("没有这个站点地图文件") from None
    if not 0 <= index < files:
        raise Http404("没有这个站点地图文件")
    entries = []
    for url_path, last in pages[index * SITEMAP_LIMIT : (index + 1) * SITEMAP_LIMIT]:
        path = "/" + url_path[len(root_url_path) :]
        lastmod = f"<lastmod>{last.date().isoformat()}</lastmod>" if last else ""
        entries.append(f"<url><loc>{escape(origin + path)}</loc>{lastmod}</url>")
    return _xml(f'<urlset xmlns="{SITEMAP_NS}">{"".join(entries)}</urlset>')


SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _xml(body: str) -> HttpResponse:
    return HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + body,
        content_type="application/xml; charset=utf-8",
    )


def site_map(request):
    """网站地图: the columns to SITE_MAP_DEPTH levels, as nested lists."""
    site = _site(request)
    root = site.root_page
    pages = list(
        Page.objects.live()
        .public()
        .in_menu()
        .descendant_of(root)
        .filter(depth__lte=root.depth + SITE_MAP_DEPTH)
        .exclude(articlepage__isnull=False)
        .order_by("path")
        .only("title", "path", "depth", "url_path")
    )
    children: dict[str, list] = {}
    for page in pages:
        children.setdefault(page.path[: -Page.steplen], []).append(page)

    def tree(path):
        return [(p, tree(p.path)) for p in children.get(path, [])]

    return render(
        request,
        "presentation/site_map.html",
        {"tree": tree(root.path), "trail_title": "网站地图"},
    )


def contact(request):
    """联系我们: the registry's contacts of this site (主办、承办, address, telephone, mail)."""
    return render(request, "presentation/contact.html", {"trail_title": "联系我们"})


@require_safe
def favicon(request):
    """`/favicon.ico`: the site's own icon when it has one, the platform's otherwise."""
    site = Site.find_for_request(request)
    icon = PresentationSettings.for_site(site).favicon if site else None
    if icon is None:
        return default_favicon(request)
    rendition = icon.get_rendition("fill-64x64|format-png")
    response = HttpResponseRedirect(rendition.url)
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _site_name() -> str:
    # The feed object is shared by every request (threads): nothing request-bound is kept on it.
    return getattr(connection.tenant, "legal_name", "")


class ColumnFeed(Feed):
    """The latest items of one column (RSS 2.0; `AtomColumnFeed` for Atom 1.0). Links are
    relative (Wagtail's, one site per schema); the framework prefixes the request's host."""

    feed_type = Rss201rev2Feed

    def get_object(self, request, column_id):
        site = _site(request)
        column = get_object_or_404(
            ColumnPage.objects.live().public().descendant_of(site.root_page), pk=column_id
        )
        return column

    def title(self, column):
        return f"{column.title} - {_site_name()}"

    def link(self, column):
        return column.get_url()

    def description(self, column):
        return column.intro or f"{_site_name()}“{column.title}”栏目的最新信息"

    def items(self, column):
        return (
            ArticlePage.objects.child_of(column)
            .live()
            .public()
            .order_by("-date", "-pk")[:FEED_ITEMS]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary or item.search_description or ""

    def item_link(self, item):
        return item.get_url()

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_guid(self, item):
        return str(item.translation_key)


class AtomColumnFeed(ColumnFeed):
    feed_type = Atom1Feed
    subtitle = ColumnFeed.description


class CatalogueFeed(ColumnFeed):
    """The latest items of the disclosure catalogue (政府信息公开), 索引号 and 文号 included."""

    def get_object(self, request):
        return _site(request).root_page

    def title(self, root):
        return f"政府信息公开 - {_site_name()}"

    def link(self, root):
        return root.get_url()

    def description(self, root):
        return f"{_site_name()}主动公开的政府信息"

    def items(self, root):
        return (
            DisclosureItem.objects.live()
            .public()
            .descendant_of(root)
            .order_by("-date", "-pk")[:FEED_ITEMS]
        )

    def item_description(self, item):
        marks = "　".join(
            f"{label}：{value}"
            for label, value in (("索引号", item.index_number), ("文号", item.document_number))
            if value
        )
        return "\n".join(x for x in (marks, item.summary) if x)


class AtomCatalogueFeed(CatalogueFeed):
    feed_type = Atom1Feed
    subtitle = CatalogueFeed.description
