"""Link checks (T2): each site's pages, the links and attachments on them, outbound links.

Per site, in its schema: every live page (up to MONITORING_LINKCHECK_MAX_PAGES) is fetched
through the platform's server as a visitor would get it, its links (a href, img/iframe src)
are collected, and every distinct URL is checked once, with a timeout per link
(MONITORING_LINKCHECK_TIMEOUT) and at most MONITORING_LINKCHECK_CONCURRENCY requests at a time.
robots.txt is respected per host; hosts outside the platform get one request per
MONITORING_LINKCHECK_HOST_INTERVAL seconds, and only when MONITORING_CHECK_OUTBOUND is on
(production) — otherwise they are counted as not checked and nothing is sent to them.

What is broken (no answer, or 4xx/5xx other than 429) is stored per page as `BrokenLink`; a
re-check of one page replaces that page's rows only.
"""

import asyncio
import logging
import time
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context
from wagtail.models import Page, Site

from federation.library.links import absolute_url
from tenants.models import Domain

from . import http
from .models import BrokenLink, LinkCheckRun

log = logging.getLogger("jiyue.monitoring")
MAX_LINKS_PER_PAGE = 500
RETRY_PAUSE = 1.0
ATTACHMENT_PREFIXES = ("/documents/", "/media/")
SKIPPED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "#")


class _Links(HTMLParser):
    WANTED = {"a": "href", "img": "src", "iframe": "src", "source": "src", "embed": "src"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []

    def handle_starttag(self, tag, attrs):
        wanted = self.WANTED.get(tag)
        if wanted:
            for name, value in attrs:
                if name == wanted and value and len(self.links) < MAX_LINKS_PER_PAGE:
                    self.links.append(value.strip())


def links_in(body: bytes, page_url: str) -> list[str]:
    parser = _Links()
    try:
        parser.feed(body.decode("utf-8", "replace"))
    except Exception:
        log.debug("could not parse %s", page_url, exc_info=True)
    found = []
    for link in parser.links:
        if not link or link.lower().startswith(SKIPPED_SCHEMES):
            continue
        url = urldefrag(urljoin(page_url, link))[0]
        if urlsplit(url).scheme in ("http", "https") and url not in found:
            found.append(url)
    return found


def _platform_hosts() -> set[str]:
    with schema_context("public"):
        return set(Domain.objects.values_list("domain", flat=True))


class Checker:
    """One run's state: URL results, robots per host, the pace per outside host."""

    def __init__(self, site_hosts, platform_hosts, *, outbound=None):
        self.site_hosts = site_hosts
        self.platform_hosts = platform_hosts
        self.outbound = settings.MONITORING_CHECK_OUTBOUND if outbound is None else outbound
        self.timeout = settings.MONITORING_LINKCHECK_TIMEOUT
        self.interval = settings.MONITORING_LINKCHECK_HOST_INTERVAL
        self.slots = asyncio.Semaphore(settings.MONITORING_LINKCHECK_CONCURRENCY)
        self.results: dict[str, asyncio.Task] = {}
        self.robots: dict[str, asyncio.Task] = {}
        self.host_locks: dict[str, asyncio.Lock] = {}
        self.host_last: dict[str, float] = {}
        self.requests = 0

    def kind(self, url) -> str:
        parts = urlsplit(url)
        if parts.hostname in self.site_hosts:
            if parts.path.startswith(ATTACHMENT_PREFIXES):
                return BrokenLink.Kind.ATTACHMENT
            return BrokenLink.Kind.INTERNAL
        if parts.hostname in self.platform_hosts:
            return BrokenLink.Kind.PLATFORM
        return BrokenLink.Kind.OUTBOUND

    def _connect_to(self, url) -> str:
        """Platform hosts are reached through the platform's own server."""
        if self.kind(url) != BrokenLink.Kind.OUTBOUND:
            return settings.MONITORING_BASE_URL
        return ""

    async def _request(self, url, max_body=0):
        host = urlsplit(url).netloc
        outbound = self.kind(url) == BrokenLink.Kind.OUTBOUND
        lock = self.host_locks.setdefault(host, asyncio.Lock()) if outbound else None
        if lock is not None:
            async with lock:  # one request at a time to an outside host, at a polite pace
                wait = self.host_last.get(host, 0) + self.interval - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                try:
                    return await self._send(url, max_body)
                finally:  # the pause runs from the end of one answer to the next request
                    self.host_last[host] = time.monotonic()
        return await self._send(url, max_body)

    async def _send(self, url, max_body):
        """One request; an answer of 5xx or a refused connection is tried once more after a
        pause (a server busy for a moment is not a broken link), a timeout is not."""
        for attempt in (1, 2):
            async with self.slots:
                self.requests += 1
                response = await http.fetch(
                    url, timeout=self.timeout, connect_to=self._connect_to(url), max_body=max_body
                )
            transient = (response.status or 0) >= 500 or (
                response.status is None and not response.error.startswith("超时")
            )
            if attempt == 2 or not transient:
                return response
            await asyncio.sleep(RETRY_PAUSE)
        return response

    async def _robots(self, url) -> RobotFileParser:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.robots:
            self.robots[origin] = asyncio.ensure_future(self._load_robots(origin))
        return await self.robots[origin]

    async def _load_robots(self, origin) -> RobotFileParser:
        parser = RobotFileParser()
        response = await self._request(origin + "/robots.txt", max_body=256 * 1024)
        if response.status == 200:
            parser.parse(response.body.decode("utf-8", "replace").splitlines())
        else:
            parser.parse([])  # no robots.txt (or unreadable): everything allowed
        return parser

    async def allowed(self, url) -> bool:
        return (await self._robots(url)).can_fetch(http.USER_AGENT, url)

    def check(self, url) -> asyncio.Task:
        """The URL's outcome: (status, error, skipped) — checked once per run."""
        if url not in self.results:
            self.results[url] = asyncio.ensure_future(self._check(url))
        return self.results[url]

    async def _check(self, url):
        if self.kind(url) == BrokenLink.Kind.OUTBOUND and not self.outbound:
            return None, "", True
        if not await self.allowed(url):
            return None, "robots.txt 不允许检查", True
        response = await self._request(url)
        return response.status, response.error, False

    async def page(self, url) -> http.Response:
        return await self._request(url, max_body=http.MAX_BODY)


def is_broken(status, error) -> bool:
    if status is None:
        return bool(error)
    return status >= 400 and status != 429


def _site_pages(page_paths=None):
    """(page id, title, path on the site) of the live public pages to check."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return []
    root = site.root_page
    pages = Page.objects.live().public().descendant_of(root, inclusive=True).order_by("path")
    prefix = root.url_path
    found = []
    for page in pages.only("id", "title", "url_path")[: settings.MONITORING_LINKCHECK_MAX_PAGES]:
        path = "/" + page.url_path[len(prefix) :]
        if page_paths is None or path in page_paths:
            found.append((page.pk, page.title, path))
    return found


async def _check_pages(checker, origin, pages):
    """{(page id, title, path): [(url, kind, status, error)] broken}, links seen, skipped."""

    async def one(page_id, title, path):
        url = origin + path
        response = await checker.page(url)
        if is_broken(response.status, response.error):
            return (
                (page_id, title, path),
                [
                    (
                        url,
                        BrokenLink.Kind.INTERNAL,
                        response.status,
                        response.error or "页面无法打开",
                    )
                ],
                set(),
            )
        links = links_in(response.body, url)
        outcomes = await asyncio.gather(*(checker.check(link) for link in links))
        broken = [
            (link, checker.kind(link), status, error)
            for link, (status, error, skipped) in zip(links, outcomes, strict=True)
            if not skipped and is_broken(status, error)
        ]
        return (page_id, title, path), broken, set(links)

    return await asyncio.gather(*(one(*page) for page in pages))


def check_site(website, page_paths=None, *, outbound=None) -> LinkCheckRun:
    """Check `website`'s pages (all, or those at `page_paths`) and store what is broken."""
    with schema_context(website.schema_name):
        pages = _site_pages(set(page_paths) if page_paths else None)
    site_hosts = {d.domain for d in website.domains.all()}
    checker = Checker(site_hosts, _platform_hosts(), outbound=outbound)
    run = LinkCheckRun.objects.create(website=website)

    origin = absolute_url(website, "").rstrip("/")

    async def go():
        return await _check_pages(checker, origin, pages)

    outcome = http.run(go())
    now = timezone.now()
    seen = set()
    rows = []
    for (page_id, title, path), broken, links in outcome:
        seen |= links
        for url, kind, status, error in broken:
            rows.append(
                BrokenLink(
                    website=website,
                    page_id=page_id,
                    page_path=path,
                    page_title=title[:255],
                    on_home=path == "/",
                    url=url[:1000],
                    kind=kind,
                    status=status,
                    error=(error or (f"HTTP {status}" if status else ""))[:300],
                    first_seen=now,
                    last_checked=now,
                )
            )
    skipped = sum(1 for task in checker.results.values() if task.result()[2])
    with transaction.atomic():
        stale = BrokenLink.objects.filter(website=website)
        if page_paths:
            stale = stale.filter(page_path__in=page_paths)
        first_seen = {(b.page_path, b.url): b.first_seen for b in stale}
        stale.delete()
        for row in rows:
            row.first_seen = first_seen.get((row.page_path, row.url), now)
        BrokenLink.objects.bulk_create(rows, ignore_conflicts=True)
        run.finished_at = timezone.now()
        run.pages = len(pages)
        run.links = len(seen)
        run.broken = len(rows)
        run.skipped = skipped
        run.save()
    return run
