"""The demo city's identities (V2, P4): one design system, visibly different sites.

A city seeder (DEMO_CITY_SEEDERS), idempotent: the portal red with a header image, districts
blue, departments green or teal, each with its own favicon in its colour.
"""

import io

from django.core.files.images import ImageFile
from django_tenants.utils import get_tenant_model, schema_context
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model
from wagtail.models import Site

from sites.core.models import SiteIdentity

from .models import PresentationSettings

BRAND = {
    "red": (179, 27, 27),
    "blue": (29, 79, 145),
    "green": (47, 125, 50),
    "teal": (15, 110, 116),
}


def _theme_for(website, index: int) -> str:
    if website.kind == "portal":
        return "red"
    if website.kind == "district":
        return "blue"
    return ("green", "teal")[index % 2]


def _png(size, draw) -> ImageFile:
    image = PILImage.new("RGB", size)
    draw(image, ImageDraw.Draw(image))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer


def _favicon(colour):
    def draw(image, pen):
        pen.rectangle((0, 0, 63, 63), fill=colour)
        pen.rectangle((14, 14, 49, 49), outline=(255, 255, 255), width=6)
        pen.rectangle((27, 27, 36, 36), fill=(255, 210, 0))

    return _png((64, 64), draw)


def _header(colour):
    dark = tuple(int(c * 0.75) for c in colour)

    def draw(image, pen):
        pen.rectangle((0, 0, 1600, 200), fill=colour)
        for x in range(-200, 1600, 90):  # the Yellow River's bends, as a quiet pattern
            pen.arc((x, 120, x + 180, 300), 180, 360, fill=dark, width=10)

    return _png((1600, 200), draw)


def _image(title, buffer, name):
    image_model = get_image_model()
    existing = image_model.objects.filter(title=title).first()
    if existing:
        return existing
    return image_model.objects.create(title=title, file=ImageFile(buffer, name=name))


def seed() -> dict:
    done = 0
    sites = get_tenant_model().objects.filter(kind__in=("portal", "district", "department"))
    for index, website in enumerate(sites.order_by("pk")):
        with schema_context(website.schema_name):
            site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
            if site is None:
                continue
            identity = SiteIdentity.for_site(site)
            settings = PresentationSettings.for_site(site)
            if settings.favicon_id:
                continue  # seeded before
            theme = _theme_for(website, index)
            identity.theme = theme
            identity.save()
            settings.favicon = _image(
                f"{website.short_name} 网站图标", _favicon(BRAND[theme]), "favicon.png"
            )
            if website.kind == "portal":
                settings.header_image = _image(
                    f"{website.short_name} 页头", _header(BRAND[theme]), "header.png"
                )
                settings.traditional_variant = PresentationSettings.TraditionalVariant.STANDARD
            settings.save()
            done += 1
    return {"identities": done}
