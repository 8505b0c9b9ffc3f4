"""What this app tells the layers above without importing them.

`page_content_changed` (sender: the page class, instance: the page): something shown on the
page changed outside a page revision — a post approved, a transcript entry added, a survey's
feedback published. The page cache listens (pagecache.integrations) and purges the page.
"""

from django.dispatch import Signal

page_content_changed = Signal()
