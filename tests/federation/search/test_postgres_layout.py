"""The PostgreSQL index's physical layout: narrow main rows with the vectors out of line,
kept by `manage.py reindex`, and the migration's tags spelled as the indexing code spells them.

Search speed for a common word depends on these (see federation/search/models.py): a facet
count visits every matching row, and a row holding its ~1 kB vector is ten times wider.
"""

import datetime
import importlib
import uuid

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.http import QueryDict
from django.utils import timezone

from federation.library.models import LibraryItem
from federation.search.backends import get_backend
from federation.search.models import TABLE
from federation.search.query import from_params
from tests.factories import unique

pytestmark = pytest.mark.django_db

# Government prose of the kind the library holds: a few sentences make a vector of about 1 kB,
# which PostgreSQL alone would keep in the main row (it moves values out only above 2 kB).
SENTENCES = [
    "为进一步做好城区道路维修工程，切实保障人民群众生命财产安全，现将有关事项通知如下。",
    "各单位要高度重视冬季供暖保障工作，明确责任分工，细化工作措施，确保各项任务落到实处。",
    "会议指出，生活垃圾分类事关群众切身利益，必须坚持以人民为中心的发展思想。",
    "请广大市民注意出行安全，合理安排出行路线，给您带来的不便敬请谅解。",
    "据统计，今年以来全市累计完成投资十二亿元，同比增长百分之八点五。",
    "咨询电话：0473-1234567，受理时间为工作日上午九时至下午五时。",
]
ROWS = 60


def index_library_items(site, marker, count=ROWS):
    """`count` library items of `site`, indexed through the backend's write path."""
    now = timezone.now()
    items = LibraryItem.objects.bulk_create(
        [
            LibraryItem(
                site=site,
                item_key=f"{site.schema_name}:{uuid.uuid4()}",
                page_id=900000 + n,
                item_type="news",
                category="工作动态",
                title=f"{marker} 第{n}期工作简报",
                summary=SENTENCES[n % len(SENTENCES)],
                text="".join(SENTENCES[(n + k) % len(SENTENCES)] for k in range(len(SENTENCES))),
                url=f"http://{site.schema_name}.localhost/gzdt/{n}/",
                published_at=now - datetime.timedelta(days=n),
            )
            for n in range(count)
        ]
    )
    get_backend().index_items(items)
    return [item.pk for item in items]


def out_of_line_values():
    """Values in the table's TOAST relation (one chunk each for values under 2 kB), and the
    table's rows: with every vector out of line there are at least as many values as rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltoastrelid::regclass::text FROM pg_class WHERE oid = %s::regclass",
            [f"public.{TABLE}"],
        )
        toast = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(DISTINCT chunk_id) FROM {toast}")  # noqa: S608
        values = cursor.fetchone()[0]
        cursor.execute(f"SELECT count(*) FROM public.{TABLE}")  # noqa: S608
        return values, cursor.fetchone()[0]


def average_vector_bytes(ids):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT avg(pg_column_size(vector)) FROM public.{TABLE} "  # noqa: S608
            "WHERE item_id = ANY(%s)",
            [ids],
        )
        return float(cursor.fetchone()[0])


def layout():
    """Storage parameters, each column's storage and generation, and every index."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE oid = %s::regclass", [f"public.{TABLE}"]
        )
        options = cursor.fetchone()[0]
        cursor.execute(
            "SELECT a.attname, a.attstorage, a.attgenerated, pg_get_expr(d.adbin, d.adrelid) "
            "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attname",
            [f"public.{TABLE}"],
        )
        columns = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "AND tablename = %s ORDER BY indexname",
            [TABLE],
        )
        indexes = cursor.fetchall()
    return options, columns, indexes


def test_every_new_vector_is_stored_out_of_line(alpha):
    values_before, _ = out_of_line_values()
    ids = index_library_items(alpha, unique("nr"))
    assert average_vector_bytes(ids) > 700  # the premise: vectors a row would carry inline
    values_after, _ = out_of_line_values()
    # Kept in the row (rows under 2 kB), they would add no value to the TOAST relation.
    assert values_after - values_before >= ROWS


def test_an_item_indexed_again_keeps_its_vector_out_of_line(alpha):
    """Every edit of a page indexes its item again. Written as an UPDATE, the row kept its
    compressed ballast and the new vector stayed in the row: a library of edited items grew
    back to wide rows."""
    ids = index_library_items(alpha, unique("ag"))
    items = list(LibraryItem.objects.filter(pk__in=ids))
    for item in items:
        item.title += " 修订"
    values_before, rows_before = out_of_line_values()
    get_backend().index_items(items)
    # The old rows' values are gone with them (to this transaction); the new ones replace
    # them. Kept in the rows, the count would drop by one per item.
    assert out_of_line_values() == (values_before, rows_before)
    assert average_vector_bytes(ids) > 700


def test_reindex_builds_the_new_table_with_the_same_layout(alpha):
    ids = index_library_items(alpha, unique("rl"))
    before = layout()
    _, columns, indexes = before
    storage = {name: (kind, generated) for name, kind, generated, _ in columns}
    assert storage["vector"] == ("e", "")  # external: out of line, not compressed
    assert storage["toast_ballast"] == ("m", "s")  # stored generated, kept in the row
    # Only GIN beside the primary key: a B-tree on the site or the date would let the planner
    # read rows through it and test their vectors one by one, each fetched from TOAST.
    assert {name for name, definition in indexes if "USING gin" not in definition} == {
        f"{TABLE}_pkey"
    }
    call_command("reindex")
    assert layout() == before
    assert average_vector_bytes(ids) > 700
    values, rows = out_of_line_values()  # the new table's TOAST relation
    assert values >= rows >= ROWS
    # Written oldest first (ids here run newest first): a year's rows share pages.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT item_id FROM public.{TABLE} WHERE item_id = ANY(%s) ORDER BY ctid",  # noqa: S608
            [ids],
        )
        assert [r[0] for r in cursor.fetchall()] == sorted(ids, reverse=True)


def test_the_migration_tags_vectors_as_the_indexing_code_does(alpha):
    """Migration 0002 added the site/type/year tags to existing vectors in SQL; a vector so
    tagged must equal the one the code writes, or narrowed searches would miss old rows."""
    migration = importlib.import_module("federation.search.migrations.0002_narrow_rows")
    ids = index_library_items(alpha, unique("mt"), count=3)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT item_id, vector::text FROM public.{TABLE} WHERE item_id = ANY(%s)",  # noqa: S608
            [ids],
        )
        written = dict(cursor.fetchall())
        assert all("'site:" in v and "'type:news'" in v and "'year:" in v for v in written.values())
        cursor.execute(migration.REMOVE_TAGS + " WHERE item_id = ANY(%s)", [ids])
        cursor.execute(
            f"SELECT count(*) FROM public.{TABLE} WHERE item_id = ANY(%s) "  # noqa: S608
            "AND vector::text LIKE '%%''site:%%'",
            [ids],
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(migration.ADD_TAGS + " WHERE item_id = ANY(%s)", [ids])
        cursor.execute(
            f"SELECT item_id, vector::text FROM public.{TABLE} WHERE item_id = ANY(%s)",  # noqa: S608
            [ids],
        )
        assert dict(cursor.fetchall()) == written


def test_the_sample_migration_tags_vectors_as_the_indexing_code_does_and_keeps_them_out_of_line(
    alpha,
):
    """Migration 0003 added the sample tags in SQL: the same tags as the code writes (or a
    sample would count other rows than the code's), and the vectors still out of line (a
    plain UPDATE would have brought them into the rows)."""
    from federation.search.backends.postgres.documents import sample_bucket

    migration = importlib.import_module("federation.search.migrations.0003_sample_tags")
    ids = index_library_items(alpha, unique("sm"), count=70)
    select = f"SELECT item_id, vector::text FROM public.{TABLE} WHERE item_id = ANY(%s)"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(select, [ids])
        written = dict(cursor.fetchall())
        assert all(f"'sample:{sample_bucket(pk)}'" in v for pk, v in written.items())
        assert len({sample_bucket(pk) for pk in ids}) > 40  # 70 consecutive ids, spread out
        cursor.execute(migration.rewrite_vectors(migration.WITHOUT_TAG, "item_id = ANY(%s)"), [ids])
        cursor.execute(select, [ids])
        assert not any("'sample:" in v for v in dict(cursor.fetchall()).values())
        before = out_of_line_values()
        cursor.execute(migration.rewrite_vectors(migration.WITH_TAG, "item_id = ANY(%s)"), [ids])
        cursor.execute(select, [ids])
        assert dict(cursor.fetchall()) == written
    # Each rewritten row's value replaced by a new one out of line (kept in the rows, the
    # count would drop by one per row).
    assert out_of_line_values() == before


def test_a_search_inside_a_callers_transaction_leaves_the_planner_setting_as_it_was(alpha):
    marker = unique("ps")
    index_library_items(alpha, marker, count=3)
    qd = QueryDict(mutable=True)
    qd["q"] = marker
    with transaction.atomic(), connection.cursor() as cursor:
        assert get_backend().search(from_params(qd, website=alpha)).total == 3
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"
