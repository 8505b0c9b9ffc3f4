"""The hall's own data in the public schema: the editable list of life events (人生事件).

Everything else the hall shows comes from the library (federation.library.LibraryItem, type
办事服务), never from a site's schema; applications are cases (federation.casework).
"""

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
