"""Each site's Wagtail search index: a save no longer reads the whole index (config.search_index).

The entries' title norms are still the site's average title length over the entry's own,
as Wagtail's backend sets them; the average is read once per site for a while, and one
site's average is never used for another site's entries.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from config import search_index
from sites.core.models import ArticlePage
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_averages_yet(monkeypatch):
    monkeypatch.setattr(search_index, "_averages", {})


def norms(website, titles):
    """Each article's (title length in terms, title norm) in `website`'s index."""
    with schema_context(website.schema_name), connection.cursor() as cursor:
        pks = [
            str(pk)
            for pk in ArticlePage.objects.filter(title__in=titles).values_list("pk", flat=True)
        ]
        cursor.execute(
            "SELECT length(title), title_norm FROM wagtailsearch_indexentry "
            "WHERE object_id = ANY(%s)",
            [pks],
        )
        return cursor.fetchall()


def average_title_length(website):
    with schema_context(website.schema_name), connection.cursor() as cursor:
        cursor.execute(
            "SELECT avg(length(title)) FROM wagtailsearch_indexentry WHERE length(title) > 0"
        )
        return float(cursor.fetchone()[0])


def test_the_backend_in_use_is_the_sites_own():
    index = get_search_backend().get_index_for_model(ArticlePage)
    assert isinstance(index, search_index.SiteSearchIndex)


def test_saves_set_each_new_entrys_norm_and_read_the_average_once(alpha):
    make_article(alpha, "供暖")  # the first save reads the site's average
    average = average_title_length(alpha)
    titles = [f"关于做好第{n}批冬季供暖保障工作的补充通知" for n in range(4)]
    with CaptureQueriesContext(connection) as queries:
        for title in titles:
            make_article(alpha, title)
    averages = [q["sql"] for q in queries.captured_queries if "AVG(" in q["sql"].upper()]
    assert averages == []  # Wagtail's own backend reads it again at every save
    found = norms(alpha, titles)
    assert len(found) == len(titles)
    for length, norm in found:
        assert norm == pytest.approx(average / length)


def test_one_sites_average_is_never_used_for_another_sites_entries(alpha, beta):
    # Alpha's index is made mostly of entries with 200-word titles, and its average is read.
    with schema_context(alpha.schema_name), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO wagtailsearch_indexentry (content_type_id, object_id, title_norm, "
            "autocomplete, title, body, title_text, body_text) "
            "SELECT %s, 'long-' || n, 0.5, ''::tsvector, to_tsvector('simple', %s), "
            "''::tsvector, '', '' FROM generate_series(1, 500) n",
            [
                ContentType.objects.get_for_model(ArticlePage).pk,
                " ".join(f"word{n}" for n in range(200)),
            ],
        )
    make_article(alpha, "关于印发冬季供暖保障工作实施方案的通知")
    assert average_title_length(alpha) > 100
    beta_title = "通知"
    make_article(beta, beta_title, column="bmdt")
    ((length, norm),) = norms(beta, [beta_title])
    assert average_title_length(beta) < 20
    assert norm == pytest.approx(average_title_length(beta) / length)


def test_a_full_rebuild_sets_every_norm_from_the_exact_average(alpha):
    titles = [f"第{n}号通知" + "补充" * n for n in range(4)]
    for title in titles:
        make_article(alpha, title)
    with schema_context(alpha.schema_name):
        IndexEntry.objects.update(title_norm=1.0)
        get_search_backend().get_index_for_model(ArticlePage)._refresh_title_norms(full=True)
    average = average_title_length(alpha)
    for length, norm in norms(alpha, titles):
        assert norm == pytest.approx(average / length)


def test_every_site_has_the_index_of_entries_awaiting_their_norm(alpha, beta):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname FROM pg_indexes WHERE indexname = %s",
            ["wagtailsearch_indexentry_awaiting_norm"],
        )
        schemas = {row[0] for row in cursor.fetchall()}
    assert {alpha.schema_name, beta.schema_name} <= schemas
