"""A site suspended or frozen while it has open tasks: the tasks wait (nothing is lost or
closed), the case records it, and the lead site is told. When the site is back, they resume."""

from . import reliability


def on_site_status_changed(sender, website, status, previous, **kwargs):
    if status != previous:
        reliability.site_availability_changed(website, available=status == "active")


def on_site_frozen_changed(sender, website, frozen, **kwargs):
    reliability.site_availability_changed(website, available=not frozen)
