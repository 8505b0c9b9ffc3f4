"""Signal handlers: follow the library's changes. The work is in services."""

import logging

from django.dispatch import receiver

from federation.library.signals import library_item_changed

from . import services

log = logging.getLogger("jiyue.syndication")


@receiver(library_item_changed, dispatch_uid="syndication_library_item_changed")
def on_library_item_changed(sender, item, event, **kwargs):
    # Runs inside the library's task (the source's schema), after the projection committed.
    # It only writes syndication rows and enqueues deliveries, which run in each receiving
    # site's schema. Failures propagate to the library's send_robust, which logs them.
    services.on_item_changed(item, event)
