"""A re-projection of unchanged items (a resync) keeps their index rows and cuts no text; a changed item is cut and written anew, and its new words are found."""

import datetime

import pytest
from django.db import connection
from django.http import QueryDict
from django_tenants.utils import schema_context

from federation.library import services
from federation.library.models import LibraryItem
from federation.search import segment
from federation.search.backends import get_backend
from federation.search.models import TABLE
from federation.search.query import from_params
from sites.core.models import ArticlePage
from tests.factories import unique

pytestmark = pytest.mark.django_db


@pytest.fixture
def cuts(monkeypatch):
    """The texts the word cutter is asked to cut from here on."""
    seen = []
    real = segment.cut

    def counting(text):
        seen.append(text)
        return real(text)

    monkeypatch.setattr(segment, "cut", counting)
    return seen


def found(website, query):
    qd = QueryDict(mutable=True)
    qd["q"] = query
    return [h.item.pk for h in get_backend().search(from_params(qd, website=website)).hits]


def row_ids(pks):
    """The physical row (ctid) of each item's index row: a rewritten row moves."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT item_id, ctid::text FROM public.{TABLE} WHERE item_id = ANY(%s)",  # noqa: S608
            [list(pks)],
        )
        return dict(cursor.fetchall())


def test_a_resync_of_unchanged_pages_cuts_nothing_and_keeps_the_rows(
    alpha, publish, committed, cuts
):
    marker = unique("yy")
    pages = [
        publish(alpha, f"供暖保障通知 {marker}{n}", "各单位要做好冬季供暖保障工作。")
        for n in range(3)
    ]
    keys = [f"alpha:{page.translation_key}" for page in pages]
    items = dict(LibraryItem.objects.filter(item_key__in=keys).values_list("pk", "version"))
    rows_before = row_ids(items)
    assert len(rows_before) == 3
    del cuts[:]

    with committed():
        services.resync_site(alpha)
    with schema_context("alpha"), committed():
        services.process_pending_for_site(alpha)

    # Unchanged items are not even handed to the index (the library keeps them as they are).
    after = dict(LibraryItem.objects.filter(pk__in=items).values_list("pk", "version"))
    assert after == items
    assert cuts == []
    assert row_ids(items) == rows_before
    assert set(items) <= set(found(alpha, "供暖"))


def test_an_item_changed_where_the_index_does_not_look_keeps_its_row(
    alpha, publish, committed, cuts
):
    """A new version whose indexed fields are the same (a link in the body changed, its text
    not) is handed to the index, which keeps its row and cuts nothing."""
    marker = unique("zz")
    page = publish(alpha, f"供暖保障通知 {marker}", "详见供暖保障工作通知")
    item = LibraryItem.objects.get(item_key=f"alpha:{page.translation_key}")
    rows_before = row_ids([item.pk])
    del cuts[:]
    with schema_context("alpha"):
        body = [("paragraph", '<p><a href="/gongnuan/">详见供暖保障工作通知</a></p>')]
        ArticlePage.objects.filter(pk=page.pk).update(body=body)

    with committed():
        services.resync_site(alpha)

    assert LibraryItem.objects.get(pk=item.pk).version > item.version  # handed on…
    assert cuts == []  # …but not one text cut again
    assert row_ids([item.pk]) == rows_before
    assert item.pk in found(alpha, "供暖")


def test_a_changed_item_is_cut_again_and_its_new_words_found(alpha, publish, cuts):
    marker = unique("xx")
    page = publish(alpha, f"道路维修公告 {marker}", "主干道维修期间请绕行。")
    item = LibraryItem.objects.get(item_key=f"alpha:{page.translation_key}")
    assert found(alpha, "绕行") and item.pk in found(alpha, "绕行")
    del cuts[:]

    item.text = item.summary = "供暖管网改造期间暂停供热。"
    item.version += 1
    get_backend().index_items([item])

    assert "供暖管网改造期间暂停供热。" in cuts
    assert item.pk in found(alpha, "管网")
    assert item.pk not in found(alpha, "绕行")


def test_a_new_date_alone_writes_the_row_again(alpha, publish):
    """The year is a tag in the vector: a row made for another year must not be kept."""
    page = publish(alpha, unique("年度报告"), "年度工作总结。", date=datetime.date(2024, 5, 1))
    item = LibraryItem.objects.get(item_key=f"alpha:{page.translation_key}")
    item.published_at = item.published_at.replace(year=2025)
    get_backend().index_items([item])
    qd = QueryDict(mutable=True)
    qd["q"] = "年度工作总结"
    qd["year"] = "2025"
    results = get_backend().search(from_params(qd, website=alpha))
    assert item.pk in [h.item.pk for h in results.hits]
