"""Signals the library sends: the hooks syndication and cache purging attach to.

`library_item_changed(sender=LibraryItem, item, event, site)` is sent after a library item was
created, updated or withdrawn and that change is committed. `item.withdrawn` tells which;
`event` is the OutboxEvent kind that caused it ("published", "unpublished", …, or
"site_inactive" when a site was suspended or archived). A receiver that raises does not undo
the projection; it is logged (send_robust), so one failing consumer cannot block the others.
"""

from django.dispatch import Signal

library_item_changed = Signal()
