"""The demo city's identities (V2, P4): one design system, visibly different sites.

A city seeder (DEMO_CITY_SEEDERS), idempotent: the portal red with a header image, districts
blue, departments green or teal, each with its own favicon in its colour.
"""

import io

from django.conf import settings
from django.core.files.images import ImageFile
from django.utils import timezone
from django_tenants.utils import get_tenant_model, schema_context
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model
from wagtail.models import Locale, Site

from sites.core.models import ArticlePage, ColumnPage, HomePage, SiteIdentity

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
            presentation = PresentationSettings.for_site(site)
            if presentation.favicon_id:
                continue  # seeded before
            theme = _theme_for(website, index)
            identity.theme = theme
            identity.save()
            presentation.favicon = _image(
                f"{website.short_name} 网站图标", _favicon(BRAND[theme]), "favicon.png"
            )
            if website.kind == "portal":
                presentation.header_image = _image(
                    f"{website.short_name} 页头", _header(BRAND[theme]), "header.png"
                )
                presentation.traditional_variant = PresentationSettings.TraditionalVariant.STANDARD
            presentation.save()
            done += 1
    return {"identities": done}


# --- English and Mongolian versions of the portal (V5) -----------------------------------------
# Demo text. The Mongolian is in the traditional script (to be checked by a native reader
# before any real use); the English is a plain rendering of the Chinese originals.
HOME_TRANSLATIONS = {
    "en": {"title": "Wuhai Municipal People's Government", "slug": "en"},
    "mn": {"title": "ᠦᠬᠠᠢ ᠬᠣᠲᠠ ᠶᠢᠨ ᠠᠷᠠᠳ ᠤᠨ ᠵᠠᠰᠠᠭ ᠤᠨ ᠭᠠᠵᠠᠷ", "slug": "mn"},
}
COLUMN_TRANSLATIONS = {"en": "News", "mn": "ᠴᠢᠬᠤᠯᠠ ᠮᠡᠳᠡᠭᠡ"}
ARTICLE_TRANSLATIONS = {
    "市政府召开第二十六次常务会议": {
        "en": (
            "The 26th executive meeting of the municipal government",
            "The meeting arranged winter heating, work safety and next year's projects for "
            "people's livelihood.",
        ),
        "mn": (
            "ᠬᠣᠲᠠ ᠶᠢᠨ ᠵᠠᠰᠠᠭ ᠤᠨ ᠭᠠᠵᠠᠷ ᠤᠨ ᠬᠣᠷᠢᠨ ᠵᠢᠷᠭᠤᠳᠤᠭᠠᠷ ᠡᠩ ᠦᠨ ᠬᠤᠷᠠᠯ",
            "ᠬᠤᠷᠠᠯ ᠳᠤ ᠡᠪᠦᠯ ᠦᠨ ᠳᠤᠯᠠᠭᠠᠴᠢᠯᠠᠯᠲᠠ ᠪᠠ ᠠᠮᠤᠷ ᠲᠦᠪᠰᠢᠨ ᠦᠢᠯᠡᠳᠪᠦᠷᠢ ᠶᠢᠨ ᠠᠵᠢᠯ ᠢ ᠵᠢᠭᠠᠪᠠ᠃",
        ),
    },
    "全市冬季供暖保障工作推进会召开": {
        "en": (
            "City-wide meeting on keeping homes warm this winter",
            "Heat sources, pipe repairs and residents' complaints: what each department does.",
        ),
        "mn": (
            "ᠬᠣᠲᠠ ᠶᠢᠨ ᠡᠪᠦᠯ ᠦᠨ ᠳᠤᠯᠠᠭᠠᠴᠢᠯᠠᠯᠲᠠ ᠶᠢᠨ ᠠᠵᠢᠯ ᠤᠨ ᠬᠤᠷᠠᠯ",
            "ᠳᠤᠯᠠᠭᠠᠴᠢᠯᠠᠯᠲᠠ ᠶᠢᠨ ᠡᠬᠦᠰᠦᠷᠪᠦᠷᠢ ᠪᠠ ᠬᠣᠭᠣᠯᠠᠢ ᠶᠢᠨ ᠵᠠᠰᠠᠪᠤᠷᠢ ᠶᠢ ᠰᠢᠯᠭᠠᠪᠠ᠃",
        ),
    },
    "市领导检查黄河乌海段防汛准备工作": {
        "en": (
            "City leaders inspect flood preparations on the Wuhai reach of the Yellow River",
            "Embankments, warning systems and emergency supplies were checked along the river.",
        ),
        "mn": (
            "ᠬᠣᠲᠠ ᠶᠢᠨ ᠤᠳᠤᠷᠢᠳᠤᠯᠭ᠎ᠠ ᠬᠠᠲᠠᠨ ᠭᠣᠣᠯ ᠤᠨ ᠦᠷᠡᠷ ᠤᠨ ᠪᠡᠯᠡᠳᠬᠡᠯ ᠢ ᠰᠢᠯᠭᠠᠪᠠ",
            "ᠬᠠᠲᠠᠨ ᠭᠣᠣᠯ ᠤᠨ ᠳᠠᠯᠠᠩ ᠪᠠ ᠣᠨᠴᠠ ᠪᠠᠢᠳᠠᠯ ᠤᠨ ᠪᠡᠯᠡᠳᠬᠡᠯ ᠢ ᠰᠢᠯᠭᠠᠪᠠ᠃",
        ),
    },
}


def _publish_translation(page, locale, **fields):
    """`page` in `locale`, published with `fields` (its parent must be translated first)."""
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing.specific, False
    copy = page.copy_for_translation(locale).specific
    for name, value in fields.items():
        setattr(copy, name, value)
    # Live with one revision, as the demo's bulk writer makes pages: no publish event (the
    # library seeder, which runs after this one, projects the new pages of every site at once).
    now = timezone.now()
    copy.live, copy.has_unpublished_changes = True, False
    copy.first_published_at = copy.last_published_at = now
    copy.save()
    revision = copy.save_revision(changed=False, clean=False)
    copy.live_revision = revision
    copy.save(update_fields=["live_revision"])
    return copy, True


def seed_languages() -> dict:
    """The English and Mongolian trees of every site that enables them (registry: languages):
    the home page and a few translated news items."""
    made = 0
    content = {c for c, _ in settings.WAGTAIL_CONTENT_LANGUAGES} - {settings.LANGUAGE_CODE}
    for website in get_tenant_model().objects.filter(kind__in=("portal", "district", "department")):
        wanted = [c for c in website.languages if c in content]
        if not wanted:
            continue
        with schema_context(website.schema_name):
            home = HomePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).first()
            if home is None:
                continue
            for code in wanted:
                locale, _ = Locale.objects.get_or_create(language_code=code)
                texts = HOME_TRANSLATIONS.get(code, {"title": website.legal_name, "slug": code})
                _, new = _publish_translation(
                    home, locale, title=texts["title"], slug=texts["slug"], motto=""
                )
                made += new
                for zh_title, by_language in ARTICLE_TRANSLATIONS.items():
                    article = ArticlePage.objects.filter(
                        title=zh_title, locale__language_code=settings.LANGUAGE_CODE
                    ).first()
                    if article is None or code not in by_language:
                        continue
                    title, summary = by_language[code]
                    column = ColumnPage.objects.get(pk=article.get_parent().pk)
                    _, new = _publish_translation(
                        column, locale, title=COLUMN_TRANSLATIONS.get(code, column.title), intro=""
                    )
                    made += new
                    _, new = _publish_translation(
                        article, locale, title=title, summary=summary, body=[]
                    )
                    made += new
            Site.clear_site_root_paths_cache()
    return {"translated pages": made}
