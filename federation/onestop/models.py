"""The hall's own data in the public schema: the editable list of life events (人生事件), and
the hall's narrow copy of the library's service items (HallEntry, kept by a library consumer).

Everything else the hall shows comes from the library (federation.library.LibraryItem, type
办事服务), never from a site's schema; applications are cases (federation.casework).
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models


class LifeEvent(models.Model):
    """One life event of the hall's "按人生事件" list, edited in the portal's admin."""

    name = models.CharField("人生事件", max_length=20, unique=True)
    description = models.CharField("说明", max_length=100, blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "人生事件"
        verbose_name_plural = "人生事件"
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.name


class HallEntry(models.Model):
    """One current 办事服务 item of the library, narrowed to what the hall lists, filters and
    counts: a short row with the facets as columns, so the hall never unpacks the library's
    `extra` (the whole guide, a few kB, stored out of line) for each of thousands of items.

    Kept by the library consumer "hall" (entries.follow_item): written after each change of a
    service item, removed when it is withdrawn. The item's guide stays in the library.
    """

    item = models.OneToOneField(
        "library.LibraryItem", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    site = models.ForeignKey(
        "tenants.Website", on_delete=models.CASCADE, related_name="+", verbose_name="网站"
    )
    title = models.CharField("标题", max_length=255)
    summary = models.TextField("摘要", blank=True)
    url = models.URLField("网址", max_length=500)
    online_level = models.PositiveSmallIntegerField("办理深度", default=1)
    service_type = models.CharField("事项类型", max_length=20, blank=True)
    themes = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    life_events = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    # The library version it was written from (for the operators' checks, not a guard: the
    # consumer always writes the item as it is now).
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "办事大厅条目"
        verbose_name_plural = "办事大厅条目"
        indexes = [
            models.Index(fields=["site", "online_level"], name="onestop_entry_site_idx"),
            GinIndex(fields=["themes"], name="onestop_entry_themes_idx"),
            GinIndex(fields=["life_events"], name="onestop_entry_events_idx"),
        ]

    def __str__(self):
        return self.title
