"""Signals syndication sends, for the apps that keep derived copies of pages (the page cache).

`syndicated_copies_changed(sender=Delivery, schema, page_ids)`: copies on site `schema` were
created, updated or withdrawn (after commit). Purge those pages and their column listings.

`broadcasts_changed(sender=Broadcast, broadcast)`: a broadcast was posted or withdrawn (after
commit). Every site's pages show the banner: a page cache must purge everything or keep the
banner out of cached HTML.
"""

from django.dispatch import Signal

syndicated_copies_changed = Signal()
broadcasts_changed = Signal()
