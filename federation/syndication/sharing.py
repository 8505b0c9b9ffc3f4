"""Resource sharing (P5): portal documents and images every site may use without a copy.

The portal marks a document or image as shared; the registry (`SharedResource`, public
schema) keeps its title and the portal's own URL for the file. Other sites' editors pick it
from the registry (the `shared_document` / `shared_image` blocks, the admin listing): the page
links to the portal's URL, so the file exists once, in the portal's media folder.
"""

from django.db import connection
from django.db.models import Q

from federation.library.links import absolute_url
from security.audit.context import actor_name
from tenants.models import Website

from .models import SharedResource

Kind = SharedResource.Kind


def _owner():
    site = Website.objects.current()
    if site is None:
        raise RuntimeError("sharing runs in the providing site's schema")
    return site


def share_document(document, user=None) -> SharedResource:
    """Share one of this site's documents (runs in the providing site's schema)."""
    site = _owner()
    # The document's own serve URL on its site: access rules and download counts stay there.
    url = absolute_url(site, document.url)
    resource, _ = SharedResource.objects.update_or_create(
        site=site,
        kind=Kind.DOCUMENT,
        object_id=document.pk,
        defaults={
            "title": document.title[:255],
            "url": url,
            "file_extension": document.file_extension[:20],
            "file_size": document.get_file_size(),
            "shared_by": actor_name(user),
            "active": True,
        },
    )
    return resource


def share_image(image, user=None) -> SharedResource:
    site = _owner()
    # A bounded rendition, made once in the portal's media folder; sites link to it.
    rendition = image.get_rendition("max-1600x1600")
    resource, _ = SharedResource.objects.update_or_create(
        site=site,
        kind=Kind.IMAGE,
        object_id=image.pk,
        defaults={
            "title": image.title[:255],
            "url": absolute_url(site, rendition.url),
            "file_extension": rendition.file.name.rsplit(".", 1)[-1][:20],
            "file_size": image.get_file_size(),
            "width": rendition.width,
            "height": rendition.height,
            "shared_by": actor_name(user),
            "active": True,
        },
    )
    return resource


def unshare(kind: str, object_id: int) -> int:
    return SharedResource.objects.filter(site=_owner(), kind=kind, object_id=object_id).update(
        active=False
    )


def shared_ids(kind: str) -> set[int]:
    """Ids of this site's objects it currently shares."""
    return set(
        SharedResource.objects.filter(
            site__schema_name=connection.schema_name, kind=kind, active=True
        ).values_list("object_id", flat=True)
    )


def available(kind: str | None = None, query: str = ""):
    """What any site's editor may pick: active shares of active sites."""
    qs = SharedResource.objects.filter(active=True, site__status="active").select_related("site")
    if kind:
        qs = qs.filter(kind=kind)
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(file_extension__iexact=query))
    return qs.order_by("-shared_at")


def get_resource(resource_id: int) -> SharedResource | None:
    """An active shared resource by id (what a shared_document/shared_image block shows)."""
    return SharedResource.objects.filter(pk=resource_id, active=True).select_related("site").first()


def choices(kind: str):
    """(id, label) pairs for a block's drop-down; evaluated when the editor form is built.
    Blocks reach this and get_resource() through settings.SHARED_RESOURCES."""
    try:
        return [
            (str(r.pk), f"{r.title}（{r.file_extension.upper()}，{r.site.short_name}）")
            for r in available(kind)[:500]
        ]
    except Exception:
        # Building forms must never fail on the registry (e.g. during migrations).
        return []
