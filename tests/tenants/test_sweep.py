"""`manage.py sweep`: the operators' one command that repairs everything beat would."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tenants.utils import schema_context

from federation.library.models import ConsumerStep, LibraryItem, OutboxEvent
from federation.search.models import SearchDocument
from federation.syndication.deliveries import ensure_delivery
from federation.syndication.models import Delivery
from sites.syndicated.models import SyndicatedPage
from tests.factories import make_article, unique

pytestmark = pytest.mark.django_db

AN_HOUR_AGO = timezone.now() - timedelta(hours=1)


def test_sweep_repairs_lost_events_pending_consumer_steps_and_deliveries(
    alpha, beta, publish, django_capture_on_commit_callbacks
):
    # A publication whose task was lost: its outbox row waits, nothing reached the library.
    with django_capture_on_commit_callbacks(execute=False):
        lost = make_article(alpha, unique("任务丢失的信息"), "正文")
    OutboxEvent.objects.filter(item_key=f"alpha:{lost.translation_key}").update(
        created_at=AN_HOUR_AGO
    )
    # An item the library has, whose search step a crash left pending.
    crashed = publish(alpha, unique("索引未完成的信息"), "正文")
    crashed_item = LibraryItem.objects.get(item_key=f"alpha:{crashed.translation_key}")
    SearchDocument.objects.filter(item=crashed_item).delete()
    ConsumerStep.objects.filter(item=crashed_item, consumer="search").update(
        done_at=None, last_attempt_at=None, scheduled_at=AN_HOUR_AGO
    )
    # A delivery whose task was never sent.
    with django_capture_on_commit_callbacks(execute=False):
        delivery = ensure_delivery(crashed_item, beta, "bmdt", Delivery.Origin.SUBSCRIPTION)
    Delivery.objects.filter(pk=delivery.pk).update(updated_at=AN_HOUR_AGO)

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sweep", stdout=out)
    for entry in (
        "library-sweep-outbox",
        "library-sweep-consumers",
        "syndication-sweep-deliveries",
        "publish-scheduled-pages",
    ):
        assert f"{entry}: done" in out.getvalue()
    lost_item = LibraryItem.objects.get(item_key=f"alpha:{lost.translation_key}")
    assert SearchDocument.objects.filter(item=lost_item).exists()
    assert SearchDocument.objects.filter(item=crashed_item).exists()
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.DELIVERED
    with schema_context("beta"):
        assert SyndicatedPage.objects.filter(
            syndication_key=crashed_item.item_key, live=True
        ).exists()


def test_sweep_names_unknown_entries():
    with pytest.raises(CommandError, match="unknown periodic entries"):
        call_command("sweep", "--only", "no-such-job")
