"""Disclosure catalogue with 10,000 items on one site: p95 render time and SQL queries per
view, unfiltered and filtered (issue 3; target p95 < 100 ms uncached, queries independent of
page size). Items are loaded with bulk inserts into the real tables (page tree paths, every
table of the page-type chain), then each view is rendered through the full request stack."""

import datetime
import random

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.harness import provision, schema_context, summary, timed

ITEMS = 10_000
REPEAT = 60


def load_items(count):
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page

    from sites.core.models import ArticlePage, ColumnPage
    from sites.disclosure.models import (
        Department,
        DisclosureArticlePage,
        DisclosureItem,
        IndexNumberSequence,
        PolicyDocumentPage,
        TopicCategory,
    )
    from sites.disclosure.services import site_code_prefix

    rng = random.Random(3)
    parent = ColumnPage.objects.get(slug="zcwj")
    categories = list(TopicCategory.objects.all())
    departments = [Department.objects.get_or_create(name=f"基准部门{i}")[0] for i in range(8)]
    prefix, year = site_code_prefix(), 2026
    genres = [g for g, _ in DisclosureItem.Genre.choices]
    start = datetime.date(2017, 1, 1)
    items = []
    for i in range(count):
        is_document = i % 5 < 2
        cls = PolicyDocumentPage if is_document else DisclosureArticlePage
        date = start + datetime.timedelta(days=rng.randrange(3400))
        fields = dict(
            title=f"基准测试信息第{i}号：关于加强和改进相关工作的通知",
            slug=f"bench-{i}",
            path=Page._get_path(parent.path, parent.depth + 1, i + 1),
            depth=parent.depth + 1,
            numchild=0,
            live=True,
            has_unpublished_changes=False,
            locale_id=parent.locale_id,
            url_path=f"{parent.url_path}bench-{i}/",
            first_published_at=datetime.datetime.now(datetime.UTC),
            date=date,
            summary="",
            body=[],
            source="",
            index_number=f"{prefix}/{year}-{i + 1:05d}",
            topic_category=rng.choice(categories),
            genre=rng.choice(genres),
            department=rng.choice(departments),
            date_written=date - datetime.timedelta(days=3),
        )
        if is_document:
            fields.update(
                document_kind="normative",
                issuing_body="基准测试区人民政府",
                document_number=f"基准发〔{date.year}〕{i}号",
                validity="repealed" if i % 50 == 0 else "in_force",
            )
        page = cls(**fields)
        page.draft_title = page.title
        page.content_type = ContentType.objects.get_for_model(cls)
        items.append(page)
    Page.objects.bulk_create(items, batch_size=1000)
    for page in items:
        page.page_ptr_id = page.articlepage_ptr_id = page.disclosureitem_ptr_id = page.id
    with connection.cursor() as cursor:
        for model, rows in [
            (ArticlePage, items),
            (DisclosureItem, items),
            (DisclosureArticlePage, [p for p in items if isinstance(p, DisclosureArticlePage)]),
            (PolicyDocumentPage, [p for p in items if isinstance(p, PolicyDocumentPage)]),
        ]:
            fields = model._meta.local_concrete_fields
            columns = ", ".join(f'"{f.column}"' for f in fields)
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f'INSERT INTO "{model._meta.db_table}" ({columns}) VALUES ({marks})',
                [
                    [f.get_db_prep_save(getattr(p, f.attname), connection) for f in fields]
                    for p in rows
                ],
            )
    Page.objects.filter(pk=parent.pk).update(numchild=count)
    IndexNumberSequence.objects.update_or_create(year=year, defaults={"last_serial": count})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def run(report):
    website = provision(0, prefix="disc")
    with schema_context(website.schema_name):
        from sites.disclosure.models import CataloguePage, DisclosureItem, TopicCategory

        print(f"   loading {ITEMS} disclosure items…", flush=True)
        load_items(ITEMS)
        assert DisclosureItem.objects.live().count() == ITEMS
        url = CataloguePage.objects.get().url
        category = TopicCategory.objects.get(name="综合政务").pk

    client = Client(HTTP_HOST=website.primary_domain)
    views = {
        "unfiltered": {},
        "filtered": {"category": category, "year": 2022},
        "deep_page": {"page": 400},
    }
    for name, params in views.items():
        response = client.get(url, params)
        assert response.status_code == 200, (name, response.status_code)
        assert "基准测试信息" in response.content.decode()
        samples = timed(lambda p=params: client.get(url, p), REPEAT)
        stats = summary(samples)
        report(f"catalogue_{name}_p50", stats["p50"], "ms")
        report(f"catalogue_{name}_p95", stats["p95"], "ms")
        counts = []
        for size in (20, 100):
            with CaptureQueriesContext(connection) as queries:
                client.get(url, {**params, "per_page": size})
            # django-tenants issues a `SET search_path` before most statements; count apart
            real = [
                q for q in queries.captured_queries if not q["sql"].startswith("SET search_path")
            ]
            counts.append((len(real), len(queries)))
        report(f"catalogue_{name}_queries", counts[0][0], "queries (+ search_path sets)")
        report(f"catalogue_{name}_statements", counts[0][1], "statements")
        report(f"catalogue_{name}_queries_at_100_per_page", counts[1][0], "queries")
        if counts[0] != counts[1]:
            print(f"   !! {name}: queries depend on page size {counts}", flush=True)

    # The same unfiltered view with django-tenants' TENANT_LIMIT_SET_CALLS (search_path set
    # once per request instead of before each statement): a platform setting, for the lead.
    from django.test import override_settings

    with override_settings(TENANT_LIMIT_SET_CALLS=True):
        client.get(url)
        stats = summary(timed(lambda: client.get(url), REPEAT))
    report("catalogue_unfiltered_p95_limit_set_calls", stats["p95"], "ms")
