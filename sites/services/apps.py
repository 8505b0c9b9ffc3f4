from django.apps import AppConfig


class ServicesConfig(AppConfig):
    """Service items (S1): each department's guides to what a citizen or business can apply for."""

    name = "sites.services"
    label = "services"
    verbose_name = "办事服务"

    def ready(self):
        from django.db.models.signals import pre_save

        pre_save.connect(_guide_guard, dispatch_uid="services.guide_guard", weak=False)


def _guide_guard(sender, instance, raw=False, update_fields=None, **kwargs):
    """An incomplete guide cannot go live: the choke point on every page row turning live."""
    from wagtail.models import Page

    if raw or not isinstance(instance, Page):
        return
    if update_fields is not None and not {"live", "live_revision"} & set(update_fields):
        return  # a save that leaves the row's live state as stored (save_revision's)
    from .completeness import check_row_going_live

    check_row_going_live(instance)
