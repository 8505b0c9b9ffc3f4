"""Disaster warnings into the emergency path (sites.disclosure.emergency): each new imported
warning becomes an 突发事件信息 draft in the site's notices column; a leader releases it by the
fast path, which raises the city-wide banner for the levels the platform lists. The import
never publishes anything by itself: a person confirms, as the emergency path requires."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from sites.core.models import ColumnPage
from sites.disclosure.models import Department, EmergencyInformationPage, TopicCategory

log = logging.getLogger(__name__)
# warning colour → the event level the emergency path maps back to the same colour
LEVEL_OF_COLOUR = {
    "red": EmergencyInformationPage.Level.EXTREME,
    "orange": EmergencyInformationPage.Level.MAJOR,
    "yellow": EmergencyInformationPage.Level.LARGE,
    "blue": EmergencyInformationPage.Level.ORDINARY,
}


def _column():
    return (
        ColumnPage.objects.filter(column_type=ColumnPage.ColumnType.NOTICES).first()
        or ColumnPage.objects.filter(column_type=ColumnPage.ColumnType.NEWS).first()
    )


def draft_emergency_items(records) -> list[int]:
    column = _column()
    if column is None or not records:
        return []
    made = []
    for record in records:
        with transaction.atomic():
            page = EmergencyInformationPage(
                title=record.title[:255],
                slug=f"yj-{slugify(record.key, allow_unicode=False)[:40] or 'warning'}-{record.pk}",
                date=timezone.localdate(),
                level=LEVEL_OF_COLOUR[record.data["level"]],
                event_kind=EmergencyInformationPage.EventKind.NATURAL,
                occurred_at=record.published_at or timezone.now(),
                summary=(record.body or record.title)[:300],
                topic_category=TopicCategory.objects.order_by("pk").first(),
                department=Department.objects.order_by("pk").first(),
                genre="emergency",
                live=False,
            )
            column.add_child(instance=page)
            page.save_revision()
        made.append(page.pk)
        log.info("warning %s drafted as emergency item %s", record.key, page.pk)
    return made
