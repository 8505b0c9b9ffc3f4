"""The demo city's identities (V2, P4): one design system, visibly different sites.

A city seeder (DEMO_CITY_SEEDERS), idempotent: the portal red with a header image, districts
blue, departments green or teal, each with its own favicon in its colour.
"""

import html
import io

from django.conf import settings
from django.core.files.images import ImageFile
from django.utils import timezone
from django_tenants.utils import get_tenant_model, schema_context
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.fields import StreamField
from wagtail.images import get_image_model
from wagtail.models import Locale, Site
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)

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
# Real wagtail-localize translations (TranslationSource, Translation, one StringTranslation per
# translated string), so the admin's translation report lists them and an editor opening one in
# the translation editor sees its progress and goes on from there.
# Demo text. The Mongolian is in the traditional script (to be checked by a native reader
# before any real use); the English is a plain rendering of the Chinese originals. The
# Mongolian articles have their titles, summaries and sources translated, not yet their
# paragraphs: the report says "waiting for translations" and the page shows no body until then.
HOME_TRANSLATIONS = {
    "en": {"title": "Wuhai Municipal People's Government", "slug": "en"},
    "mn": {"title": "ᠦᠬᠠᠢ ᠬᠣᠲᠠ ᠶᠢᠨ ᠠᠷᠠᠳ ᠤᠨ ᠵᠠᠰᠠᠭ ᠤᠨ ᠭᠠᠵᠠᠷ", "slug": "mn"},
}
COLUMN_TRANSLATIONS = {"en": "News", "mn": "ᠴᠢᠬᠤᠯᠠ ᠮᠡᠳᠡᠭᠡ"}
ARTICLE_TITLES = {
    "市政府召开第二十六次常务会议": {
        "en": "The 26th executive meeting of the municipal government",
        "mn": "ᠬᠣᠲᠠ ᠶᠢᠨ ᠵᠠᠰᠠᠭ ᠤᠨ ᠭᠠᠵᠠᠷ ᠤᠨ ᠬᠣᠷᠢᠨ ᠵᠢᠷᠭᠤᠳᠤᠭᠠᠷ ᠡᠩ ᠦᠨ ᠬᠤᠷᠠᠯ",
    },
    "全市冬季供暖保障工作推进会召开": {
        "en": "City-wide meeting on keeping homes warm this winter",
        "mn": "ᠬᠣᠲᠠ ᠶᠢᠨ ᠡᠪᠦᠯ ᠦᠨ ᠳᠤᠯᠠᠭᠠᠴᠢᠯᠠᠯᠲᠠ ᠶᠢᠨ ᠠᠵᠢᠯ ᠤᠨ ᠬᠤᠷᠠᠯ",
    },
    "市领导检查黄河乌海段防汛准备工作": {
        "en": "City leaders inspect flood preparations on the Wuhai reach of the Yellow River",
        "mn": "ᠬᠣᠲᠠ ᠶᠢᠨ ᠤᠳᠤᠷᠢᠳᠤᠯᠭ᠎ᠠ ᠬᠠᠲᠠᠨ ᠭᠣᠣᠯ ᠤᠨ ᠦᠷᠡᠷ ᠤᠨ ᠪᠡᠯᠡᠳᠬᠡᠯ ᠢ ᠰᠢᠯᠭᠠᠪᠠ",
    },
}
# Every other string of those pages (tenants/demo/sites/portal.yaml), by its Chinese text.
STRINGS = {
    "en": {
        "黄河明珠 书法之城": "Pearl of the Yellow River, city of calligraphy",
        "乌海市人民政府办公室": "General Office of the Wuhai Municipal People's Government",
        "乌海市住房和城乡建设局": "Wuhai Housing and Urban-Rural Development Bureau",
        "乌海市应急管理局": "Wuhai Emergency Management Bureau",
        "会议研究部署冬季供暖保障、安全生产和明年民生实事项目谋划等工作。": (
            "The meeting arranged winter heating, work safety and the planning of next "
            "year's projects for people's livelihood."
        ),
        "11月24日，市长主持召开市政府第二十六次常务会议，传达学习自治区有关会议精神，研究部署冬季供暖保障、岁末年初安全生产和2027年民生实事项目谋划等工作。副市长、秘书长出席会议。": (
            "On 24 November the mayor chaired the 26th executive meeting of the municipal "
            "government. It studied the decisions of the autonomous region's recent meetings "
            "and arranged winter heating, work safety over the turn of the year and the "
            "planning of the 2027 projects for people's livelihood. The deputy mayors and the "
            "secretary-general attended."
        ),
        "会议指出，当前全市已全面进入供暖期，各相关部门要压实供热企业主体责任，加强热源、管网巡查检修，畅通12345热线诉求渠道，确保群众温暖过冬。对室温不达标的小区要做到即接即办、限时整改。": (
            "The meeting noted that the whole city is now in the heating season. The "
            "departments concerned must hold the heating companies to their duties, inspect "
            "and repair heat sources and pipe networks, and keep the 12345 hotline open to "
            "residents, so that everyone stays warm this winter. Estates where rooms are too "
            "cold are to be dealt with as soon as reported and put right within a set time."
        ),
        "会议强调，岁末年初是安全生产事故易发多发期，要聚焦煤矿、危险化学品、燃气、道路交通等重点行业领域，深入开展隐患排查整治，坚决防范遏制重特大事故发生。": (
            "The meeting stressed that accidents are frequent at the turn of the year. Coal "
            "mines, hazardous chemicals, gas and road traffic are to be searched thoroughly "
            "for hidden dangers, to prevent serious and major accidents."
        ),
        "会议审议并原则通过了《乌海市2027年民生实事项目征集工作方案》，要求广泛听取人大代表、政协委员和基层群众意见，把群众最关心、最直接、最现实的问题纳入项目清单。": (
            "The meeting approved in principle the Wuhai plan for collecting proposals for "
            "the 2027 projects for people's livelihood. It asked for the views of deputies to "
            "the people's congress, members of the political consultative conference and "
            "residents, so that the problems people care about most are on the list."
        ),
        "会议通报供暖期开栓运行情况，部署热源保障、管网抢修和群众诉求办理等重点工作。": (
            "The meeting reviewed the start of the heating season and arranged heat supply, "
            "emergency pipe repairs and the handling of residents' complaints."
        ),
        "11月19日，全市冬季供暖保障工作推进会召开。会议通报了本供暖季开栓运行情况，截至目前，全市集中供热面积约3150万平方米，主要热源厂运行平稳，用户室温总体达标。": (
            "On 19 November the city held a meeting on keeping homes warm this winter. It "
            "heard that about 31.5 million square metres are on central heating this season, "
            "that the main heat plants run smoothly and that room temperatures are generally "
            "up to standard."
        ),
        "会议要求，各供热企业要落实24小时值班值守制度，储备充足的燃煤和抢修物资，对老旧管网实施重点监测，发生故障要第一时间抢修并告知用户，最大限度缩短停热时间。": (
            "Heating companies must keep a 24-hour duty desk, stock enough coal and repair "
            "materials and watch old pipe networks closely. A fault is to be repaired at once "
            "and the users told, so that the heating is off for as short a time as possible."
        ),
        "会议强调，各区和住建、市场监管等部门要加强对供热服务质量的监督检查，对群众反映的室温不达标问题实行“接诉即办”，对推诿扯皮、处置不力的依规严肃问责。": (
            "The districts and the housing and market regulation departments must check the "
            "quality of the heating service. Complaints about cold rooms are handled as soon "
            "as they come in; whoever passes them on or handles them badly is held to account."
        ),
        "检查组实地察看黄河堤防、海勃湾水利枢纽和山洪沟道，要求立足防大汛、抢大险。": (
            "The inspectors visited Yellow River embankments, the Haibowan water control "
            "project and flash-flood gullies, and asked for readiness for major floods."
        ),
        "6月18日，市政府分管负责同志带队检查黄河乌海段防汛准备工作，先后来到海勃湾区滨河堤防、黄河海勃湾水利枢纽和海南区山洪沟道，实地察看工程运行、物资储备和值班值守情况。": (
            "On 18 June the city leader in charge led an inspection of flood preparations on "
            "the Wuhai reach of the Yellow River: the riverside embankment in Haibowan "
            "District, the Haibowan water control project and the flash-flood gullies of "
            "Hainan District, where they saw how the works run, what supplies are stored "
            "and who is on duty."
        ),
        "检查组指出，乌海市地处黄河上游，山洪、沟道洪水风险突出，各级各部门要克服麻痹思想，完善监测预警体系，加强对病险堤段、穿堤建筑物和沟道行洪障碍的排查整治。": (
            "The inspectors pointed out that Wuhai lies on the upper Yellow River, where "
            "flash floods and gully floods are a serious risk. No level or department may be "
            "complacent: monitoring and early warning must improve, and weak embankments, "
            "structures crossing the dykes and obstacles in the gullies must be found and put "
            "right."
        ),
        "检查组要求，要做好防汛队伍、物资、装备的预置工作，强化应急演练，确保一旦发生险情能够快速响应、科学处置，切实保障人民群众生命财产安全。": (
            "Flood teams, supplies and equipment are to be in place in advance and emergency "
            "drills held, so that any danger meets a quick and well-judged response that "
            "keeps people and their property safe."
        ),
    },
    "mn": {
        "黄河明珠 书法之城": "ᠬᠠᠲᠠᠨ ᠭᠣᠣᠯ ᠤᠨ ᠰᠤᠪᠤᠳ᠂ ᠤᠷᠠᠨ ᠪᠢᠴᠢᠯᠭᠡ ᠶᠢᠨ ᠬᠣᠲᠠ",
        "乌海市人民政府办公室": "ᠦᠬᠠᠢ ᠬᠣᠲᠠ ᠶᠢᠨ ᠠᠷᠠᠳ ᠤᠨ ᠵᠠᠰᠠᠭ ᠤᠨ ᠭᠠᠵᠠᠷ ᠤᠨ ᠠᠯᠪᠠᠨ ᠲᠠᠰᠤᠭ",
        "乌海市住房和城乡建设局": (
            "ᠦᠬᠠᠢ ᠬᠣᠲᠠ ᠶᠢᠨ ᠣᠷᠣᠨ ᠰᠠᠭᠤᠴᠠ ᠪᠠ ᠬᠣᠲᠠ ᠬᠥᠳᠡᠭᠡ ᠶᠢᠨ ᠪᠠᠶᠢᠭᠤᠯᠤᠯᠲᠠ ᠶᠢᠨ ᠲᠣᠪᠴᠢᠶ᠎ᠠ"
        ),
        "乌海市应急管理局": "ᠦᠬᠠᠢ ᠬᠣᠲᠠ ᠶᠢᠨ ᠣᠨᠴᠠ ᠪᠠᠶᠢᠳᠠᠯ ᠤᠨ ᠬᠠᠮᠢᠶᠠᠷᠤᠯᠲᠠ ᠶᠢᠨ ᠲᠣᠪᠴᠢᠶ᠎ᠠ",
        "会议研究部署冬季供暖保障、安全生产和明年民生实事项目谋划等工作。": (
            "ᠬᠤᠷᠠᠯ ᠳᠤ ᠡᠪᠦᠯ ᠦᠨ ᠳᠤᠯᠠᠭᠠᠴᠢᠯᠠᠯᠲᠠ ᠪᠠ ᠠᠮᠤᠷ ᠲᠦᠪᠰᠢᠨ ᠦᠢᠯᠡᠳᠪᠦᠷᠢ ᠶᠢᠨ ᠠᠵᠢᠯ ᠢ ᠵᠢᠭᠠᠪᠠ᠃"
        ),
        "会议通报供暖期开栓运行情况，部署热源保障、管网抢修和群众诉求办理等重点工作。": (
            "ᠳᠤᠯᠠᠭᠠᠴᠢᠯᠠᠯᠲᠠ ᠶᠢᠨ ᠡᠬᠦᠰᠦᠷᠪᠦᠷᠢ ᠪᠠ ᠬᠣᠭᠣᠯᠠᠢ ᠶᠢᠨ ᠵᠠᠰᠠᠪᠤᠷᠢ ᠶᠢ ᠰᠢᠯᠭᠠᠪᠠ᠃"
        ),
        "检查组实地察看黄河堤防、海勃湾水利枢纽和山洪沟道，要求立足防大汛、抢大险。": (
            "ᠬᠠᠲᠠᠨ ᠭᠣᠣᠯ ᠤᠨ ᠳᠠᠯᠠᠩ ᠪᠠ ᠣᠨᠴᠠ ᠪᠠᠢᠳᠠᠯ ᠤᠨ ᠪᠡᠯᠡᠳᠬᠡᠯ ᠢ ᠰᠢᠯᠭᠠᠪᠠ᠃"
        ),
    },
}


def _translate(page, locale, strings: dict[str, str], **fields):
    """`page` in `locale` through wagtail-localize: its TranslationSource (the strings it
    extracts), a Translation, a StringTranslation for each of its strings `strings` knows, then
    the translated page built from them (its parent must be translated first). `fields`
    override what the strings would give (the home page's slug). A StreamField with an
    untranslated string stays empty: no Chinese paragraphs on an English page."""
    source, _ = TranslationSource.get_or_create_from_instance(page)
    translation, new = Translation.objects.get_or_create(source=source, target_locale=locale)
    existing = page.get_translation_or_none(locale)
    if not new and existing is not None and existing.live:
        return existing.specific, False
    segments = list(StringSegment.objects.filter(source=source).select_related("string", "context"))
    done, untranslated = [], set()
    for segment in segments:
        text = strings.get(html.unescape(segment.string.data))
        if segment.context.path == "slug":  # the version's URL keeps the original's slug
            text = fields.get("slug", html.unescape(segment.string.data))
        if text is None:
            untranslated.add(segment.context.path.split(".")[0])
            continue
        done.append(
            StringTranslation(
                translation_of=segment.string,
                locale=locale,
                context=segment.context,
                data=html.escape(text, quote=False),
                translation_type=StringTranslation.TRANSLATION_TYPE_MANUAL,
            )
        )
    StringTranslation.objects.bulk_create(done, ignore_conflicts=True)
    translation.save_target(publish=False)  # a draft: no publish event (see below)
    copy = page.get_translation(locale).specific
    for name in untranslated:
        if isinstance(copy._meta.get_field(name), StreamField):
            setattr(copy, name, [])
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
    the home page and a few translated news items, as wagtail-localize translations."""
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
            articles = ArticlePage.objects.filter(
                title__in=ARTICLE_TITLES, locale__language_code=settings.LANGUAGE_CODE
            )
            for code in wanted:
                locale, _ = Locale.objects.get_or_create(language_code=code)
                texts = HOME_TRANSLATIONS.get(code, {"title": website.legal_name, "slug": code})
                strings = {**STRINGS.get(code, {}), home.title: texts["title"]}
                _, new = _translate(home, locale, strings, slug=texts["slug"])
                made += new
                for article in articles:
                    if code not in ARTICLE_TITLES[article.title]:
                        continue
                    column = ColumnPage.objects.get(pk=article.get_parent().pk)
                    column_strings = {column.title: COLUMN_TRANSLATIONS.get(code, column.title)}
                    _, new = _translate(column, locale, column_strings)
                    made += new
                    article_strings = {
                        **strings,
                        article.title: ARTICLE_TITLES[article.title][code],
                    }
                    _, new = _translate(article, locale, article_strings)
                    made += new
            Site.clear_site_root_paths_cache()
    return {"translated pages": made}
