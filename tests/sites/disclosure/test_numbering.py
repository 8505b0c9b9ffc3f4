"""Index numbers (索引号): generated per site, unique, never reused, fixed once published."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django_tenants.utils import schema_context

from sites.disclosure.models import DisclosureItem, IndexNumberSequence
from sites.disclosure.services import allocate_index_number
from tests.sites.disclosure.factories import column, make_article, make_document


def test_numbers_are_site_code_year_serial_and_sequential(in_alpha):
    first, second = make_article(), make_document()
    code = in_alpha.site_code
    year = first.index_number.split("/")[1].split("-")[0]
    assert first.index_number.startswith(f"{code}/{year}-")
    assert (
        int(second.index_number.rsplit("-", 1)[1]) == int(first.index_number.rsplit("-", 1)[1]) + 1
    )


def test_each_site_counts_on_its_own(alpha, beta, in_site):
    with in_site(alpha):
        for _ in range(3):
            make_article()
        alpha_last = IndexNumberSequence.objects.get().last_serial
    with in_site(beta):
        item = make_article(parent=column("bmdt"))
        assert item.index_number.startswith(f"{beta.site_code}/")
        assert IndexNumberSequence.objects.get().last_serial < alpha_last + 1
        assert not DisclosureItem.objects.filter(index_number__startswith=alpha.site_code).exists()


def test_a_deleted_items_number_is_never_issued_again(in_alpha):
    gone = make_article()
    number = gone.index_number
    gone.delete()
    later = [make_article().index_number for _ in range(2)]
    assert number not in later


def test_number_cannot_change_after_publishing(in_alpha):
    item = make_document()
    original = item.index_number
    item.index_number = "150305a000/2025-99999"
    with pytest.raises(ValidationError) as refused:
        item.full_clean()
    assert "发布后不可更改" in str(refused.value)
    item.refresh_from_db()
    assert item.index_number == original


def test_a_draft_may_take_a_legacy_number_but_not_a_taken_one(in_alpha):
    published = make_document()
    draft = make_article(publish=False)
    draft.index_number = published.index_number
    with pytest.raises(ValidationError) as refused:
        draft.full_clean()
    assert "已被" in str(refused.value) and published.title in str(refused.value)
    draft.index_number = "LEGACY/2019-00042"
    draft.full_clean()
    draft.save()
    assert DisclosureItem.objects.get(pk=draft.pk).index_number == "LEGACY/2019-00042"


def test_generator_skips_a_number_typed_in_by_hand(in_alpha):
    nxt = IndexNumberSequence.objects.filter(year=2030).first()
    assert nxt is None
    make_article(index_number=f"{in_alpha.site_code}/2030-00001")
    assert allocate_index_number(2030).endswith("/2030-00002")


def test_a_copy_gets_its_own_number(in_alpha):
    original = make_document()
    copy = original.copy(
        update_attrs={"slug": original.slug + "-copy", "document_number": "甲政发〔2025〕900号"}
    )
    assert copy.specific.index_number and copy.specific.index_number != original.index_number


def test_two_concurrent_transactions_never_get_the_same_number(django_db_setup, django_db_blocker):
    """Two real transactions on two connections, overlapping: the second waits for the first
    to commit and then takes the next serial."""
    results, errors = {}, []
    first_holds_lock = threading.Event()

    def create(name, hold):
        try:
            with schema_context("alpha"), transaction.atomic():
                number = allocate_index_number(2091)
                results[name] = (number, time.perf_counter())
                if hold:
                    first_holds_lock.set()
                    time.sleep(0.6)  # keep the transaction (and its row lock) open
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    with django_db_blocker.unblock():
        try:
            a = threading.Thread(target=create, args=("a", True))
            a.start()
            assert first_holds_lock.wait(10)
            started = time.perf_counter()
            b = threading.Thread(target=create, args=("b", False))
            b.start()
            a.join()
            b.join()
            assert not errors, errors
            assert results["a"][0] != results["b"][0]
            assert results["a"][0].endswith("2091-00001") and results["b"][0].endswith("2091-00002")
            # b really overlapped a: it had to wait for a's commit
            assert results["b"][1] - started > 0.3
        finally:
            with schema_context("alpha"):
                IndexNumberSequence.objects.filter(year=2091).delete()
            connection.close()  # see test_scheduling: committed-data tests close their own


def test_many_concurrent_page_creations_all_get_distinct_numbers(
    django_db_setup, django_db_blocker
):
    """Four threads, each saving disclosure items in its own committed transactions."""
    from sites.core.models import ColumnPage
    from tests.sites.disclosure.factories import catalogue_defaults

    errors, created = [], []
    with django_db_blocker.unblock():
        with schema_context("alpha"):
            zwgk = ColumnPage.objects.get(slug="zwgk")
            parents = [
                zwgk.add_child(
                    instance=ColumnPage(title=f"并发{i}", slug=f"conc-{i}-{time.time_ns()}")
                )
                for i in range(4)
            ]
        barrier = threading.Barrier(4)

        def worker(parent_id):
            from sites.disclosure.models import DisclosureArticlePage

            try:
                with schema_context("alpha"):
                    parent = ColumnPage.objects.get(pk=parent_id)
                    barrier.wait(10)
                    for i in range(5):
                        with transaction.atomic():
                            page = parent.add_child(
                                instance=DisclosureArticlePage(
                                    **catalogue_defaults(
                                        title=f"并发创建{parent_id}-{i}", slug=f"c{i}"
                                    )
                                )
                            )
                            created.append(page.index_number)
            except Exception as exc:
                errors.append(exc)
            finally:
                connection.close()

        try:
            threads = [threading.Thread(target=worker, args=(p.pk,)) for p in parents]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert not errors, errors
            assert len(created) == 20 and len(set(created)) == 20
        finally:
            with schema_context("alpha"):
                for parent in parents:
                    ColumnPage.objects.get(pk=parent.pk).delete()
            connection.close()
