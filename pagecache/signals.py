"""Purge exactly what a change affects. Handlers only compute paths and defer the purge
to commit (services.py); they never render or call out."""

from django.db import connection
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from tenants.models import Domain, Website

from . import integrations, services, store


def _schema() -> str:
    return connection.schema_name


def on_page_changed(sender, instance, **kwargs):
    """Published or unpublished: the page, its column listings, the home page."""
    services.purge_page(_schema(), instance)


def on_slug_changed(sender, instance, instance_before, **kwargs):
    _purge_old_location(instance, instance_before.url_path)
    services.purge_page(_schema(), instance)


def on_page_moved(sender, instance, url_path_before, **kwargs):
    _purge_old_location(instance, url_path_before)
    services.purge_page(_schema(), instance)


def _purge_old_location(page, old_url_path):
    schema = _schema()
    paths, whole_site = services.affected_paths(page, url_path=old_url_path)
    below, too_many = services.subtree_paths(page, old_url_path=old_url_path)
    if whole_site or too_many:
        services.purge_site(schema)
    else:
        services.purge_paths(schema, paths | below)


def on_pre_delete(sender, instance, **kwargs):
    if isinstance(instance, Page):
        if instance.numchild:
            services.purge_site(_schema())  # a subtree goes: simpler and rare
        else:
            services.purge_page(_schema(), instance)
    elif isinstance(instance, Site):
        services.purge_site(_schema())


def on_saved(sender, instance, **kwargs):
    if isinstance(instance, (BaseSiteSetting, BaseGenericSetting, Site)):
        services.purge_site(_schema())  # identity, footer, theme: on every page
    elif isinstance(instance, Website):
        services.purge_site(instance.schema_name)  # legal name, contacts, status
    elif isinstance(instance, Domain):
        _purge_domain(instance)


def on_deleted(sender, instance, **kwargs):
    if isinstance(instance, Website):
        services.purge_site(instance.schema_name)
    elif isinstance(instance, Domain):
        _purge_domain(instance)


def on_domain_about_to_change(sender, instance, **kwargs):
    """A domain moving to another site: the old site's copies under it must go too."""
    if instance.pk:
        old = sender.objects.filter(pk=instance.pk).select_related("tenant").first()
        if old and old.tenant_id != instance.tenant_id:
            services.purge_site(old.tenant.schema_name)


def _purge_domain(domain):
    services.purge_site(domain.tenant.schema_name)
    hostname = domain.domain
    services._after_commit(lambda: store.forget_host(hostname))


def connect():
    page_published.connect(on_page_changed, dispatch_uid="pagecache.published")
    page_unpublished.connect(on_page_changed, dispatch_uid="pagecache.unpublished")
    page_slug_changed.connect(on_slug_changed, dispatch_uid="pagecache.slug")
    post_page_move.connect(on_page_moved, dispatch_uid="pagecache.moved")
    pre_delete.connect(on_pre_delete, dispatch_uid="pagecache.pre_delete")
    post_save.connect(on_saved, dispatch_uid="pagecache.saved")
    post_delete.connect(on_deleted, dispatch_uid="pagecache.deleted")
    pre_save.connect(on_domain_about_to_change, sender=Domain, dispatch_uid="pagecache.domain")

    integrations.connect()
