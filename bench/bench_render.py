"""Uncached render of a site's home page, an article and a syndicated copy (its body cleaned
by nh3 on every render), with 1 site and with 50 sites.

Requests go through the whole Django stack (tenant middleware included) with the test
client, in-process: no network, no page cache. Figures: p50/p95 in ms and SQL queries.
"""

import datetime

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import harness
from sites.core.models import ArticlePage, ColumnPage
from sites.syndicated.models import SyndicatedPage

REQUESTS = 150
ARTICLES = 40


def _fill(website):
    with harness.schema_context(website.schema_name):
        if ArticlePage.objects.exists():
            return ArticlePage.objects.live().first().url_path
        columns = list(ColumnPage.objects.filter(column_type__in=["news", "notices"]))
        for i in range(ARTICLES):
            page = ArticlePage(
                title=f"关于做好2026年冬季供暖保障工作的通知（第{i}号）",
                date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i * 7),
                source="区政府办公室",
                summary="为切实做好今冬明春供暖保障工作，现将有关事项通知如下。",
                body=[
                    (
                        "paragraph",
                        "<p>" + "各街道办事处、区直各部门：为切实做好供暖保障工作。" * 20 + "</p>",
                    )
                ],
            )
            columns[i % len(columns)].add_child(instance=page)
            page.save_revision().publish()
        return ArticlePage.objects.live().first().url_path


def _measure(website, path):
    client = Client()
    host = website.primary_domain
    client.get(path, HTTP_HOST=host)  # warm the process-level caches (templates, site roots)

    def one():
        response = client.get(path, HTTP_HOST=host)
        assert response.status_code == 200, (path, response.status_code)

    samples = harness.timed(one, REQUESTS)
    with CaptureQueriesContext(connection) as queries:
        one()
    return harness.summary(samples), len(queries.captured_queries)


def _article_path(website):
    with harness.schema_context(website.schema_name):
        page = ArticlePage.objects.live().first()
        # url_path is /home/<column>/<slug>/; served at /<column>/<slug>/
        return "/" + page.url_path.split("/", 2)[2]


def _copy_path(website):
    """A copy of another site's article, as syndication makes it: its body arrives as HTML."""
    with harness.schema_context(website.schema_name):
        copy = SyndicatedPage.objects.live().first()
        if copy is None:
            paragraph = (
                "<p>海勃湾区政府召开常务会议，研究部署冬季供暖和安全生产工作。会议要求各部门"
                '<a href="https://hbw.example.gov.cn/gzdt/">压实责任</a>，确保群众温暖过冬。</p>'
            )
            copy = SyndicatedPage(
                title="海勃湾区政府召开第二十二次常务会议",
                date=datetime.date(2026, 12, 1),
                source="海勃湾区人民政府",
                summary="研究部署冬季供暖和安全生产工作。",
                syndication_key="bench:render-copy",
                source_site_name="海勃湾区人民政府",
                source_url="https://hbw.example.gov.cn/gzdt/1/",
                body_html="<h2>会议内容</h2>" + paragraph * 20 + "<ul><li>一</li><li>二</li></ul>",
                origin=SyndicatedPage.Origin.SUBSCRIPTION,
            )
            ColumnPage.objects.filter(column_type="news").first().add_child(instance=copy)
            copy.save_revision().publish()
        return "/" + copy.url_path.split("/", 2)[2]


def run(report):
    sites = harness.ensure_sites(1)
    first = sites[0]
    _fill(first)
    article = _article_path(first)
    copy = _copy_path(first)
    results = {}
    for label, count in (("1site", 1), ("50sites", 50)):
        if count > 1:
            print(f"   provisioning up to {count} sites…", flush=True)
            harness.ensure_sites(count)
        for view, path in (("home", "/"), ("article", article), ("copy", copy)):
            stats, queries = _measure(first, path)
            results[(view, label)] = stats
            report(f"render_{view}_{label}_p50", stats["p50"], "ms")
            report(f"render_{view}_{label}_p95", stats["p95"], "ms")
            report(f"render_{view}_{label}_queries", queries, "queries")
    for view in ("home", "article", "copy"):
        ratio = results[(view, "50sites")]["p95"] / results[(view, "1site")]["p95"]
        report(f"render_{view}_p95_ratio_50_to_1", ratio, "x")
