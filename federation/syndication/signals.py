"""Signals syndication sends.

`broadcasts_changed(sender=Broadcast, broadcast)`: a broadcast was posted or withdrawn, or it
started or ended (after commit). Every site's pages show the banner: the page cache purges
everything on it.
"""

from django.dispatch import Signal

broadcasts_changed = Signal()
