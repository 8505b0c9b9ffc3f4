"""错敏词 screening: one 20,000-character document against a 50,000-term dictionary (target
< 50 ms a check, version query included; the one-off compile reported apart), and a full scan
of 10,000 published items (the per-site report).

The dictionary is made up: 50,000 distinct 2–6 character terms over common characters (so the
automaton is as dense as a real one), a person↔title table of 30 leaders, and a handful of
terms planted in the document and the items so the matcher has hits to report.
"""

import datetime
import random
import time

from django.db import transaction
from django.db.models import F

from bench import harness
from security.screening import services
from security.screening.models import Kind, OfficialTitle, ScreeningTerm
from security.screening.scan import scan_site
from sites.core.models import ArticlePage, ColumnPage, HomePage

TERMS = 50_000
DOCUMENT_CHARS = 20_000
ITEMS = 10_000
CHECKS = 30
COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
    "产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点"
    "从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原"
    "又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革"
)
PLANTED = ["张建困", "乌海市卫生局", "既使", "按装"]


def _term(rng) -> str:
    return "".join(rng.choice(COMMON) for _ in range(rng.randint(2, 6)))


def _dictionary(rng):
    terms, seen = [], set(PLANTED)
    while len(terms) < TERMS - len(PLANTED):
        word = _term(rng)
        if word in seen:
            continue
        seen.add(word)
        kind = rng.choice([Kind.SENSITIVE, Kind.MISTAKE, Kind.OFFICIAL_NAME])
        terms.append(
            ScreeningTerm(
                kind=kind,
                term=word,
                suggestion="" if kind == Kind.SENSITIVE else word[::-1],
                severity="warning",  # so items go on being scanned as live content
            )
        )
    terms += [
        ScreeningTerm(
            kind=Kind.OFFICIAL_NAME, term="张建困", suggestion="张建国", severity="serious"
        ),
        ScreeningTerm(
            kind=Kind.OFFICIAL_NAME,
            term="乌海市卫生局",
            suggestion="乌海市卫生健康委员会",
            severity="serious",
        ),
        ScreeningTerm(kind=Kind.MISTAKE, term="既使", suggestion="即使", severity="warning"),
        ScreeningTerm(kind=Kind.MISTAKE, term="按装", suggestion="安装", severity="warning"),
    ]
    with transaction.atomic():
        ScreeningTerm.objects.all().delete()
        OfficialTitle.objects.all().delete()
        ScreeningTerm.objects.bulk_create(terms, batch_size=5000)
        OfficialTitle.objects.bulk_create(
            [
                OfficialTitle(
                    person=f"{rng.choice('王李张刘陈杨赵黄周吴')}{_term(rng)[:2]}",
                    title=rng.choice(["市长", "副市长", "区长", "局长", "主任"]),
                )
                for _ in range(30)
            ],
            ignore_conflicts=True,
        )
        services.bump()


def _document(rng) -> str:
    sentence = "乌海市人民政府关于进一步做好冬季供暖保障工作的通知，各有关部门要高度重视。"
    parts, size = [], 0
    while size < DOCUMENT_CHARS:
        part = sentence if rng.random() < 0.9 else rng.choice(PLANTED) + "，" + sentence
        parts.append(part)
        size += len(part)
    return "".join(parts)[:DOCUMENT_CHARS]


def _items(website, rng):
    from tenants.demo.pages import _next_page_ids, _place, _tree, _write

    with harness.schema_context(website.schema_name):
        have = ArticlePage.objects.live().count()
        if have >= ITEMS:
            return have
        home = HomePage.of_site()
        column = ColumnPage.objects.filter(column_type="news").first()
        _, last_step = _tree(home)
        wanted = ITEMS - have
        body = "为切实做好今冬明春供暖保障工作，现将有关事项通知如下。" * 12
        started = time.perf_counter()
        for start in range(0, wanted, 1000):
            batch = min(1000, wanted - start)
            ids = _next_page_ids(batch)
            pages = []
            for n, pk in enumerate(ids):
                planted = rng.choice(PLANTED) if rng.random() < 0.05 else ""
                page = ArticlePage(
                    title=f"关于做好冬季供暖保障工作的通知（第{start + n}号）",
                    date=datetime.date(2026, 1, 1) + datetime.timedelta(days=n % 300),
                    source="区政府办公室",
                    summary=f"供暖保障{planted}工作通知。",
                    body=[("paragraph", f"<p>{body}{planted}</p>")],
                )
                step = last_step[column.path] = last_step[column.path] + 1
                _place(page, pk, column, step, f"scan-{start + n}", home.locale_id)
                pages.append(page)
            with transaction.atomic():
                _write(pages)
                ColumnPage.objects.filter(pk=column.pk).update(numchild=F("numchild") + batch)
        print(f"   {wanted} items written in {time.perf_counter() - started:.0f} s", flush=True)
        return ArticlePage.objects.live().count()


def run(report):
    rng = random.Random(18)
    [site] = harness.ensure_sites(1)
    with harness.schema_context(site.schema_name):
        started = time.perf_counter()
        _dictionary(rng)
        report("safety_dictionary_load_s", time.perf_counter() - started, "s")
        document = _document(rng)
        started = time.perf_counter()
        found = services.check_text(document)
        report("safety_first_check_with_compile_ms", (time.perf_counter() - started) * 1000, "ms")
        assert any(f.text == "张建困" for f in found)
        samples = harness.timed(lambda: services.check_text(document), CHECKS)
        stats = harness.summary(samples)
        report("safety_check_20k_chars_50k_terms_p50", stats["p50"], "ms")
        report("safety_check_20k_chars_50k_terms_p95", stats["p95"], "ms")
        report("safety_check_findings", len(found), "findings")
    items = _items(site, rng)
    report("safety_scan_items", items, "items")
    result = scan_site(site.schema_name)
    report("safety_scan_seconds", result.seconds, "s")
    report("safety_scan_ms_per_item", result.seconds * 1000 / max(1, result.pages_scanned), "ms")
    report("safety_scan_pages_with_findings", len(result.pages), "pages")
