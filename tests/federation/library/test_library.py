"""The library's flow in-process (no broker): publish → outbox → library → search index."""

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from wagtail.models import PageViewRestriction

from federation.library import services
from federation.library.models import (
    ConsumerStep,
    ItemType,
    LibraryItem,
    OutboxEvent,
    WithdrawnReason,
)
from federation.search.models import SearchDocument
from tenants import services as tenant_services
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def item_of(website, page):
    return LibraryItem.objects.get(item_key=f"{website.schema_name}:{page.translation_key}")


def test_publishing_projects_the_page_into_the_library(alpha, publish):
    page = publish(
        alpha,
        "甲区开展道路维修工程",
        "城区主干道道路维修工程今日启动，预计月底完工。",
        summary="道路维修",
    )
    item = item_of(alpha, page)
    assert item.site == alpha and item.page_id == page.pk
    assert item.title == "甲区开展道路维修工程"
    assert item.item_type == ItemType.NEWS and item.category == "工作动态"
    assert "预计月底完工" in item.text and "<p>" not in item.text
    assert item.url == f"http://alpha.localhost/gzdt/{page.slug}/"
    assert timezone.localdate(item.published_at) == page.date and item.first_published_at
    assert item.language == "zh-hans" and not item.withdrawn
    event = OutboxEvent.objects.get(item_key=item.item_key)
    assert event.event == "published" and event.processed_at and event.version == item.version
    assert SearchDocument.objects.filter(item=item).exists()


def test_the_outbox_row_is_part_of_the_publishing_transaction(alpha, committed):
    from django.db import transaction

    before = OutboxEvent.objects.count()
    with pytest.raises(RuntimeError), committed(), transaction.atomic():
        make_article(alpha, "回滚的发布", "正文")
        assert OutboxEvent.objects.count() == before + 1
        raise RuntimeError("the editor's request failed after publishing")
    assert OutboxEvent.objects.count() == before
    assert not LibraryItem.objects.filter(title="回滚的发布").exists()


def test_column_type_decides_the_item_type(alpha, publish):
    page = publish(alpha, "关于春节放假的通知", "放假安排", column="tzgg")
    assert item_of(alpha, page).item_type == ItemType.NOTICE


def test_drafts_never_enter_the_library(alpha, committed):
    with committed():
        page = make_article(alpha, "尚未发布的草稿", "草稿内容", publish=False, live=False)
    assert not LibraryItem.objects.filter(item_key__endswith=str(page.translation_key)).exists()


def test_a_draft_edit_of_a_live_page_does_not_change_its_item(alpha, publish, committed):
    page = publish(alpha, "已发布的标题", "已发布的正文")
    with committed(), schema_context("alpha"):
        page.title = "草稿中的新标题"
        page.save_revision()
    assert item_of(alpha, page).title == "已发布的标题"


def test_republishing_updates_and_unpublishing_withdraws(alpha, publish, committed):
    page = publish(alpha, "原标题", "原正文")
    first_version = item_of(alpha, page).version
    with committed(), schema_context("alpha"):
        page.title = "新标题"
        page.save_revision().publish()
    item = item_of(alpha, page)
    assert item.title == "新标题" and item.version > first_version
    with committed(), schema_context("alpha"):
        page.unpublish()
    item = item_of(alpha, page)
    assert item.withdrawn and item.withdrawn_reason == WithdrawnReason.UNPUBLISHED
    assert not SearchDocument.objects.filter(item=item).exists()


def test_deleting_withdraws_with_one_event(alpha, publish, committed):
    page = publish(alpha, "将被删除", "正文")
    key = f"alpha:{page.translation_key}"
    with committed(), schema_context("alpha"):
        page.delete()
    assert OutboxEvent.objects.filter(item_key=key, event="deleted").count() == 1
    item = LibraryItem.objects.get(item_key=key)
    assert item.withdrawn and item.withdrawn_reason == WithdrawnReason.DELETED


def test_moving_a_page_changes_its_url(alpha, publish, committed):
    from sites.core.models import ColumnPage

    page = publish(alpha, "移动到通知公告", "正文")
    with committed(), schema_context("alpha"):
        page.move(ColumnPage.objects.get(slug="tzgg"), pos="last-child")
    item = item_of(alpha, page)
    assert item.url == f"http://alpha.localhost/tzgg/{page.slug}/"
    assert item.item_type == ItemType.NOTICE


def test_login_restricted_pages_leave_and_return(alpha, publish, committed):
    page = publish(alpha, "内部资料", "仅限登录用户")
    with committed(), schema_context("alpha"):
        restriction = PageViewRestriction.objects.create(page=page, restriction_type="login")
    item = item_of(alpha, page)
    assert item.withdrawn and item.withdrawn_reason == WithdrawnReason.RESTRICTED
    with committed(), schema_context("alpha"):
        restriction.delete()
    assert not item_of(alpha, page).withdrawn


def test_restricted_from_the_start_never_enters(alpha, publish, committed):
    from sites.core.models import ColumnPage

    with committed(), schema_context("alpha"):
        column = ColumnPage.objects.get(slug="zcwj")
        PageViewRestriction.objects.create(page=column, restriction_type="password", password="x")
    page = publish(alpha, "受密码保护栏目下的文件", "正文", column="zcwj")
    assert not LibraryItem.objects.filter(item_key=f"alpha:{page.translation_key}").exists()


def test_duplicate_and_stale_events_are_harmless(alpha, publish, committed):
    page = publish(alpha, "重复投递", "正文")
    event = OutboxEvent.objects.get(item_key=f"alpha:{page.translation_key}")
    steps = ConsumerStep.objects.filter(item__item_key=event.item_key)
    before = sorted(steps.values_list("consumer", "version", "done_at"))
    assert [c for c, _, done in before if done] == ["hall", "search", "syndication"]
    with schema_context("alpha"):
        assert services.process_event(event.pk) is None  # already processed
        OutboxEvent.objects.filter(pk=event.pk).update(processed_at=None)
        services.process_event(event.pk)  # redelivered after a crash: version already applied
    assert sorted(steps.values_list("consumer", "version", "done_at")) == before  # nothing redone
    assert LibraryItem.objects.filter(item_key=event.item_key).count() == 1


def test_the_sweep_processes_rows_whose_task_never_ran(alpha, django_capture_on_commit_callbacks):
    from datetime import timedelta

    with django_capture_on_commit_callbacks(execute=False), schema_context("alpha"):
        page = make_article(alpha, "任务丢失的发布", "正文", publish=False)
        page.save_revision().publish()
    key = f"alpha:{page.translation_key}"
    # Simulate the lost task: the row is there, its task never ran (captured, not executed).
    assert OutboxEvent.objects.filter(item_key=key, processed_at__isnull=True).exists()
    assert services.sweep_outbox(older_than=timedelta(0)) >= 1
    assert not LibraryItem.objects.get(item_key=key).withdrawn
    assert not OutboxEvent.objects.filter(item_key=key, processed_at__isnull=True).exists()


def test_suspending_a_site_withdraws_its_items_and_activating_restores_them(
    alpha, publish, committed
):
    page = publish(alpha, "暂停网站的信息", "正文")
    with committed():
        tenant_services.set_status(alpha, "suspended")
    item = item_of(alpha, page)
    assert item.withdrawn and item.withdrawn_reason == WithdrawnReason.SITE_INACTIVE
    assert not SearchDocument.objects.filter(item=item).exists()
    with committed():
        tenant_services.set_status(alpha, "active")
    assert not item_of(alpha, page).withdrawn
    assert SearchDocument.objects.filter(item=item).exists()


def test_library_projection_hook_fills_disclosure_metadata(alpha, publish, monkeypatch):
    from sites.core.models import ArticlePage

    monkeypatch.setattr(
        ArticlePage,
        "library_projection",
        lambda self: {
            "item_type": "document",
            "document_number": "乌海甲发〔2024〕12号",
            "index_number": "115003000000000000/2024-00012",
            "subject": "城乡建设",
        },
        raising=False,
    )
    page = publish(alpha, "关于印发道路维修管理办法的通知", "正文")
    item = item_of(alpha, page)
    assert item.item_type == "document" and item.document_number == "乌海甲发〔2024〕12号"
    assert item.extra == {"subject": "城乡建设"}


def test_another_sites_page_ids_do_not_collide(alpha, beta, publish):
    a = publish(alpha, "甲区的信息", "正文")
    b = publish(beta, "乙局的信息", "正文", column="bmdt")
    assert item_of(alpha, a).site == alpha and item_of(beta, b).site == beta
    assert item_of(alpha, a).item_key != item_of(beta, b).item_key


def test_every_beat_entry_names_a_task_a_worker_knows():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()  # what a worker or beat process does when it starts
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_resync_site_command_reprojects_a_site(alpha, publish, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    page = publish(alpha, "重新同步的信息", "正文")
    LibraryItem.objects.filter(item_key=f"alpha:{page.translation_key}").delete()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("resync_site", "alpha", stdout=out)
    assert "pages of alpha recorded" in out.getvalue()
    assert not item_of(alpha, page).withdrawn


def test_failing_rows_back_off_and_old_processed_rows_are_pruned(alpha, publish):
    from datetime import timedelta

    from django.utils import timezone

    page = publish(alpha, "用于清理的信息", "正文")
    row = OutboxEvent.objects.get(item_key=f"alpha:{page.translation_key}")
    stuck = OutboxEvent.objects.create(
        site=alpha,
        item_key="alpha:stuck",
        page_id=0,
        event="published",
        version=1,
        attempts=12,
        last_attempt_at=timezone.now() - timedelta(minutes=5),
    )
    assert stuck not in services.pending_events(older_than=timedelta(0))
    OutboxEvent.objects.filter(pk=stuck.pk).update(
        last_attempt_at=timezone.now() - timedelta(hours=2)
    )
    assert stuck in services.pending_events(older_than=timedelta(0))
    OutboxEvent.objects.filter(pk=row.pk).update(processed_at=timezone.now() - timedelta(days=31))
    assert services.prune_outbox() >= 1
    assert not OutboxEvent.objects.filter(pk=row.pk).exists()


def test_pages_that_are_never_items_write_no_outbox_row(alpha, beta, publish, committed):
    """Home and column pages, and syndicated copies, never enter the library: publishing them
    writes no outbox row (it used to write one whose task then ended "excluded")."""
    from federation.syndication.deliveries import ensure_delivery
    from federation.syndication.models import Delivery
    from sites.core.models import ColumnPage, HomePage

    before = OutboxEvent.objects.count()
    with committed(), schema_context("alpha"):
        home = HomePage.objects.get()
        home.motto = "新的标语"
        home.save_revision().publish()
        column = ColumnPage.objects.get(slug="gzdt")
        column.intro = "新的栏目说明"
        column.save_revision().publish()
    assert OutboxEvent.objects.count() == before
    original = publish(beta, "乙局转来的信息", "正文", column="bmdt")
    item = LibraryItem.objects.get(item_key=f"beta:{original.translation_key}")
    before = OutboxEvent.objects.count()
    with committed():
        ensure_delivery(item, alpha, "gzdt", Delivery.Origin.SUBSCRIPTION)
    assert Delivery.objects.get(item=item, target=alpha).status == Delivery.Status.DELIVERED
    assert OutboxEvent.objects.count() == before  # the copy on alpha wrote none


def test_pages_written_without_the_publish_flow_are_projected_once_per_site(alpha):
    """A bulk load (the demo seeder) makes pages live with no publish event: one call projects
    them all, with one consumer step each, and only them; restricted pages stay out."""
    import datetime

    from sites.core.models import ArticlePage, ColumnPage
    from tests.factories import unique

    def live_page(title, column="gzdt"):
        with schema_context("alpha"):
            page = ArticlePage(
                title=title,
                slug=unique("bulk"),
                date=datetime.date(2026, 11, 2),
                live=True,
                first_published_at=timezone.now(),
            )
            return ColumnPage.objects.get(slug=column).add_child(instance=page)

    pages = [live_page(f"批量写入的文章{n}") for n in range(3)]
    assert not OutboxEvent.objects.filter(site=alpha).exists()
    items = services.project_new_pages(alpha)
    assert sorted(i.page_id for i in items) == sorted(p.pk for p in pages)  # not the catalogue
    assert len({i.version for i in items}) == 3 and items[0].title.startswith("批量写入的文章")
    assert ConsumerStep.objects.filter(item__in=items, done_at=None).count() == 3 * len(
        services.consumers.registered()
    )
    assert services.project_new_pages(alpha) == []  # idempotent

    hidden = live_page("受限的批量文章", column="tzgg")
    with schema_context("alpha"):
        PageViewRestriction.objects.create(page=hidden, restriction_type="login")
    quiet = live_page("不通知下游的批量文章")
    items = services.project_new_pages(alpha, notify=False)
    assert [i.page_id for i in items] == [quiet.pk]
    assert not ConsumerStep.objects.filter(item__in=items).exists()
