"""Signal handlers: they only write outbox rows (and send tasks after commit), nothing else."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from tenants.models import Website
from tenants.signals import site_status_changed

from . import services
from .models import OutboxEvent

Kind = OutboxEvent.Kind


@receiver(page_published, dispatch_uid="library_page_published")
def on_page_published(sender, instance, **kwargs):
    services.record_page_event(instance, Kind.PUBLISHED)


@receiver(page_unpublished, dispatch_uid="library_page_unpublished")
def on_page_unpublished(sender, instance, **kwargs):
    services.record_page_event(instance, Kind.UNPUBLISHED)


@receiver(post_delete, dispatch_uid="library_page_deleted")
def on_page_deleted(sender, instance, **kwargs):
    # Deleting an ArticlePage deletes its Page row too, and post_delete fires for both
    # instances: react to the base Page only, so a deletion is one event.
    if type(instance) is Page:
        services.record_page_event(instance, Kind.DELETED)


@receiver(post_page_move, dispatch_uid="library_page_moved")
def on_page_moved(sender, instance, url_path_before=None, url_path_after=None, **kwargs):
    # A move changes the URL of the page and of everything under it.
    if url_path_before != url_path_after:
        services.record_page_events(
            Page.objects.descendant_of(instance, inclusive=True).only(
                "pk", "translation_key", "content_type", "locale"
            ),
            Kind.MOVED,
        )


@receiver(page_slug_changed, dispatch_uid="library_page_slug_changed")
def on_slug_changed(sender, instance, **kwargs):
    # The page itself is re-projected by its own publish event; its descendants' URLs moved.
    services.record_page_events(
        Page.objects.descendant_of(instance).only(
            "pk", "translation_key", "content_type", "locale"
        ),
        Kind.MOVED,
    )


@receiver(post_save, sender=PageViewRestriction, dispatch_uid="library_restriction_saved")
@receiver(post_delete, sender=PageViewRestriction, dispatch_uid="library_restriction_deleted")
def on_view_restriction_changed(sender, instance, **kwargs):
    # A login or password restriction hides the page and its subtree from the public: the
    # library must follow, and follow back when the restriction is lifted.
    page = Page.objects.filter(pk=instance.page_id).first()
    if page is not None:
        services.record_page_events(
            Page.objects.descendant_of(page, inclusive=True).only(
                "pk", "translation_key", "content_type", "locale"
            ),
            Kind.RESTRICTED,
        )


@receiver(site_status_changed, dispatch_uid="library_site_status_changed")
def on_site_status_changed(sender, website, status, previous, **kwargs):
    if status == previous:
        return
    if status in (Website.Status.SUSPENDED, Website.Status.ARCHIVED):
        services.withdraw_site(website)
    elif status == Website.Status.ACTIVE:
        services.resync_site(website)
