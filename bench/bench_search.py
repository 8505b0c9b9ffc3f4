"""Cross-site search: the library's PostgreSQL index vs. Wagtail's search queried per tenant.

Setup (stated plainly, printed by the run):
- 200 real sites (tenants, provisioned like any site, via harness.ensure_sites); fewer with
  BENCH_SEARCH_SITES=N (the figure `search_sites` says how many were used).
- 100,000 library items spread evenly over the sites (500 per site with 200), inserted into the library in bulk (not published page by
  page: that would take hours). Titles and bodies are composed from a pool of realistic
  government sentences; every item is segmented by jieba through the real indexing code
  (`PostgresBackend.rebuild`, the path `manage.py reindex` takes).
- The Wagtail comparison: a plain multi-tenant Wagtail has no shared index, so a city-wide search
  asks every tenant schema in turn. Each of the 200 tenants gets WAGTAIL_PAGES_PER_SITE real
  ArticlePages (default 10, i.e. a 2% sample of the 500 items per site), indexed by Wagtail's
  own database search backend (`simple` configuration). Their text is pre-segmented with spaces,
  or Wagtail could not match Chinese words at all. With 2% of the data per schema, the Wagtail
  timings are a lower bound: the ratio reported understates the difference.
- Queries go through each backend's Python API (no HTTP), 10 results per query.
"""

import os
import random
import time
import uuid
from datetime import datetime, timedelta

from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from bench import harness

SITES = 200
ITEMS = 100_000
WAGTAIL_PAGES_PER_SITE = int(os.environ.get("BENCH_SEARCH_WAGTAIL_PAGES", "10"))
REPEAT = 200
COMMON_WORD = "通知"  # in every generated title
QUERIES = [
    "道路维修",
    "出行安全",
    "教育",
    "医疗保障",
    "政策解读",
    "环境保护 监测",
    "通知",
    "营商环境",
    "供暖",
    "就业创业",
    "垃圾分类",
    "养老服务",
    "农业",
    "疫情防控",
    "招聘",
]

SUBJECTS = [
    "城区道路维修工程",
    "冬季供暖保障工作",
    "义务教育招生",
    "城乡居民医疗保障",
    "生态环境保护监测",
    "优化营商环境",
    "就业创业扶持政策",
    "生活垃圾分类",
    "社区养老服务",
    "现代农业发展",
    "疫情防控常态化",
    "事业单位公开招聘",
    "安全生产大检查",
    "文化旅游活动",
    "住房公积金",
    "不动产登记",
    "市场监管执法",
    "食品安全抽检",
    "防汛抗旱",
    "森林防火",
]
ACTIONS = ["关于开展", "关于做好", "关于印发", "召开", "部署", "推进", "通报", "解读"]
SENTENCES = [
    "为进一步做好{s}，切实保障人民群众生命财产安全，现将有关事项通知如下。",
    "各单位要高度重视{s}，明确责任分工，细化工作措施，确保各项任务落到实处。",
    "会议指出，{s}事关群众切身利益，必须坚持以人民为中心的发展思想。",
    "请广大市民注意出行安全，合理安排出行路线，给您带来的不便敬请谅解。",
    "市政府办公室将加强督促检查，对工作不力的单位予以通报批评。",
    "本政策自发布之日起施行，由市发展和改革委员会负责解释。",
    "据统计，今年以来全市累计完成投资十二亿元，同比增长百分之八点五。",
    "下一步，我们将持续深化{s}，推动高质量发展取得新成效。",
    "咨询电话：0473-1234567，受理时间为工作日上午九时至下午五时。",
    "附件：{s}实施方案（2024-2026年）",
]


def _text(rng, subject, n):
    return "".join(rng.choice(SENTENCES).format(s=subject) for _ in range(n))


def build_library(sites, rng):
    from federation.library.models import ItemType, LibraryItem

    types = list(ItemType.values)
    now = timezone.now()
    batch = []
    started = time.perf_counter()
    for index, site in enumerate(sites):
        per_site = ITEMS // len(sites) + (1 if index < ITEMS % len(sites) else 0)
        for n in range(per_site):
            subject = rng.choice(SUBJECTS)
            title = f"{rng.choice(ACTIONS)}{subject}的通知（{site.short_name}第{n}号）"
            published = now - timedelta(days=rng.randint(0, 3650), seconds=rng.randint(0, 86400))
            batch.append(
                LibraryItem(
                    site=site,
                    item_key=f"{site.schema_name}:{uuid.uuid4()}",
                    page_id=n + 10,
                    item_type=rng.choice(types),
                    category="工作动态",
                    title=title,
                    summary=_text(rng, subject, 1),
                    text=_text(rng, subject, 4),
                    url=f"http://{site.schema_name}.localhost/gzdt/{n}/",
                    published_at=published,
                    first_published_at=published,
                    updated_at=published,
                )
            )
            if len(batch) >= 5000:
                LibraryItem.objects.bulk_create(batch)
                batch = []
    if batch:
        LibraryItem.objects.bulk_create(batch)
    return time.perf_counter() - started


def build_wagtail_sample(sites, rng):
    """Real ArticlePages in every tenant, indexed by Wagtail's database search backend."""
    from django_tenants.utils import schema_context
    from wagtail.rich_text import RichText

    from federation.search import segment
    from sites.core.models import ArticlePage, ColumnPage

    started = time.perf_counter()
    for i, site in enumerate(sites):
        with schema_context(site.schema_name):
            column = ColumnPage.objects.get(slug="gzdt")
            for n in range(WAGTAIL_PAGES_PER_SITE):
                subject = rng.choice(SUBJECTS)
                body = segment.segmented(_text(rng, subject, 4))
                page = ArticlePage(
                    title=segment.segmented(f"{rng.choice(ACTIONS)}{subject}的通知"),
                    slug=f"w{n}",
                    date=datetime(2024, 1, 1).date(),
                    summary=segment.segmented(_text(rng, subject, 1)),
                    body=[("paragraph", RichText(f"<p>{body}</p>"))],
                )
                column.add_child(instance=page)
        if (i + 1) % 50 == 0:
            print(f"   wagtail sample: {i + 1}/{len(sites)} sites", flush=True)
    return time.perf_counter() - started


def request_for(website, text, scope):
    from federation.search.query import from_params

    qd = QueryDict(mutable=True)
    qd.update({"q": text, "scope": scope})
    return from_params(qd, website=website)


def run(report):
    from django_tenants.utils import schema_context

    from federation.search.backends.postgres import PostgresBackend
    from federation.search.models import SearchDocument
    from federation.search.segment import segmented
    from sites.core.models import ArticlePage

    rng = random.Random(2026)
    wanted = int(os.environ.get("BENCH_SEARCH_SITES", SITES))
    print(f"   {wanted} real sites (provisioning ~1 s each the first time)…", flush=True)
    sites = harness.ensure_sites(wanted)[:wanted]
    report("search_sites", len(sites), "sites")
    connection.set_schema_to_public()
    from federation.library.models import LibraryItem

    if LibraryItem.objects.count() < ITEMS:  # `python -m bench.bench_search` reuses a built DB
        print(f"   inserting {ITEMS} library items in bulk…", flush=True)
        report("search_library_insert", build_library(sites, rng), "s")
    backend = PostgresBackend()
    started = time.perf_counter()
    shown = [-1]

    def progress(done, total):
        if done * 10 // max(total, 1) != shown[0]:
            shown[0] = done * 10 // max(total, 1)
            print(f"   indexing (jieba + tsvector): {done}/{total}", flush=True)

    indexed = backend.rebuild(progress=progress)
    report("search_index_build", time.perf_counter() - started, "s")
    report("search_index_items", indexed, "items")
    assert SearchDocument.objects.count() == ITEMS
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE federation_search_document")

    # --- the library's index ---
    for q in QUERIES:  # warm the caches and jieba
        backend.search(request_for(sites[0], q, "all"))
    site_samples, all_samples, totals = [], [], []
    for i in range(REPEAT):
        q = QUERIES[i % len(QUERIES)]
        site = sites[rng.randrange(len(sites))]
        site_samples += harness.timed(
            lambda q=q, s=site: backend.search(request_for(s, q, "site")), 1
        )
        all_samples += harness.timed(
            lambda q=q: totals.append(backend.search(request_for(sites[0], q, "all")).total), 1
        )
    site_stats, all_stats = harness.summary(site_samples), harness.summary(all_samples)
    report("search_site_p50", site_stats["p50"], "ms")
    report("search_site_p95", site_stats["p95"], "ms")
    report("search_all_p50", all_stats["p50"], "ms")
    report("search_all_p95", all_stats["p95"], "ms")
    report("search_all_mean_matches", sum(totals) / len(totals), "items")
    # The worst case of the mix on its own: 通知 is in every title, so its facet counts visit
    # every row of the index (the all-site p95 above falls among this query's samples).
    common = harness.summary(
        harness.timed(
            lambda: backend.search(request_for(sites[0], COMMON_WORD, "all")), REPEAT // 4
        )
    )
    report("search_all_common_word_p50", common["p50"], "ms")
    report("search_all_common_word_p95", common["p95"], "ms")

    # --- plain multi-tenant Wagtail: its own search, one tenant schema after another ---
    print(
        f"   Wagtail comparison: {WAGTAIL_PAGES_PER_SITE} real pages in each of {len(sites)} "
        f"tenants ({WAGTAIL_PAGES_PER_SITE * 100 * len(sites) / ITEMS:.1f}% sample)…",
        flush=True,
    )
    with schema_context(sites[-1].schema_name):
        built = ArticlePage.objects.filter(slug__startswith="w").count() >= WAGTAIL_PAGES_PER_SITE
    if not built:
        report("search_wagtail_sample_build", build_wagtail_sample(sites, rng), "s")
    report("search_wagtail_pages_per_site", WAGTAIL_PAGES_PER_SITE, "pages")

    def wagtail_search(schema, q):
        with schema_context(schema):
            return list(ArticlePage.objects.live().search(segmented(q))[:10])

    wagtail_site, wagtail_all = [], []
    for q in QUERIES[:3]:
        wagtail_search(sites[0].schema_name, q)
    for i in range(REPEAT // 4):
        q = QUERIES[i % len(QUERIES)]
        wagtail_site += harness.timed(
            lambda q=q: wagtail_search(sites[rng.randrange(len(sites))].schema_name, q), 1
        )
    for i in range(len(QUERIES)):
        q = QUERIES[i]
        wagtail_all += harness.timed(
            lambda q=q: [wagtail_search(s.schema_name, q) for s in sites], 1
        )
    connection.set_schema_to_public()
    ws, wa = harness.summary(wagtail_site), harness.summary(wagtail_all)
    report("search_wagtail_site_p50", ws["p50"], "ms")
    report("search_wagtail_site_p95", ws["p95"], "ms")
    report("search_wagtail_all_p50", wa["p50"], "ms")
    report("search_wagtail_all_p95", wa["p95"], "ms")
    report("search_all_speedup_vs_wagtail_p50", wa["p50"] / all_stats["p50"], "x")
    report("search_all_speedup_vs_wagtail_p95", wa["p95"] / all_stats["p95"], "x")


if __name__ == "__main__":
    # Re-measure on the bench database as the last `make bench BENCH=search` left it (sites,
    # library and Wagtail pages kept; the index is rebuilt with the current code):
    #   BENCH_SEARCH_SITES=77 DJANGO_SETTINGS_MODULE=config.settings.bench .venv/bin/python -c \
    #     "import django; django.setup(); import runpy; runpy.run_module('bench.bench_search', run_name='__main__')"
    import json
    from pathlib import Path

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    figures = {}

    def report(name, value, unit):
        figures[name] = {"value": value, "unit": unit}
        print(
            f"{name}: {value:.3f} {unit}"
            if isinstance(value, float)
            else f"{name}: {value} {unit}",
            flush=True,
        )

    run(report)
    out = Path("var/bench/search-rerun.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2))
