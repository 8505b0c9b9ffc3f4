"""Signals about sites, for the apps that keep something per site (the library, syndication)."""

from django.dispatch import Signal

# Sent by services.set_status after the new status is saved:
# site_status_changed(sender=Website, website=…, status="suspended", previous="active")
site_status_changed = Signal()

# Sent by services.freeze / services.unfreeze after the registry entry is saved:
# site_frozen_changed(sender=Website, website=…, frozen=True)
site_frozen_changed = Signal()
