"""V5: an English or Mongolian page speaks its language in its own labels too (footer,
breadcrumbs, search, the language switch, 长者模式, the skip link), not only in its content; a
Chinese page stays Chinese. The catalogues (locale/en, locale/mn) hold every label the public
templates say, and their committed .mo files match the .po sources."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation.template import templatize
from django_tenants.utils import schema_context
from lxml import html as lxml_html
from wagtail.models import Locale

from sites.presentation import demo
from tests.clients import site_client
from tests.factories import make_article

pytestmark = pytest.mark.django_db

# The templates every public page is built from (the page types' own and their includes).
PUBLIC_TEMPLATES = [
    "sites/core/templates/core/base.html",
    "sites/core/templates/core/home_page.html",
    "sites/core/templates/core/column_page.html",
    "sites/core/templates/core/article_page.html",
    "sites/core/templates/core/includes/breadcrumbs.html",
    "sites/core/templates/core/includes/pagination.html",
    "sites/presentation/templates/presentation/includes/footer.html",
    "sites/presentation/templates/presentation/includes/reading_tools.html",
]
MONGOLIAN_SCRIPT = re.compile(r"[\u1800-\u18AF]")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def doc(response):
    assert response.status_code == 200, response.status_code
    return lxml_html.fromstring(response.content.decode())


@pytest.fixture
def multilingual(alpha, committed):
    alpha.languages = ["zh-hans", "en", "mn"]
    alpha.operator_unit = "乌海市大数据中心"
    alpha.contact_phone = "0473-3990000"
    alpha.save()
    with committed():
        article = make_article(alpha, "市政府召开第二十六次常务会议", "会议研究部署冬季供暖。")
    demo.seed_languages()
    with schema_context("alpha"):
        paths = {
            code: article.get_translation(Locale.objects.get(language_code=code)).url
            for code in ("en", "mn")
        }
        paths["zh-hans"] = article.url
    return alpha, paths


def labels(page) -> dict:
    footer = page.xpath("//footer[@class='site-footer']")[0]
    return {
        "footer": footer.text_content(),
        # 网站地图 and 联系我们 (then 找错, once the interaction area answers it)
        "footer links": [
            a.text_content().strip()
            for a in footer.xpath(".//div[@class='site-footer__links']/a")[:2]
        ],
        "badge": footer.xpath(".//img")[0].get("alt"),
        "elder": page.xpath("//button[@data-elder-toggle]")[0].text_content().strip(),
        "skip": page.xpath("//a[@class='skip-link']")[0].text_content().strip(),
        "breadcrumbs": page.xpath("//nav[@class='breadcrumbs']")[0].get("aria-label"),
        "home crumb": page.xpath("//nav[@class='breadcrumbs']//a")[0].text_content().strip(),
        "search": page.xpath("//form[@role='search']//button")[0].text_content().strip(),
    }


def test_an_english_page_has_english_labels(multilingual):
    alpha, paths = multilingual
    found = labels(doc(site_client(alpha).get(paths["en"])))
    assert "Sponsor: " in found["footer"] and "Operated by: 乌海市大数据中心" in found["footer"]
    assert f"Website ID: {alpha.site_code}" in found["footer"]
    assert "Phone: 0473-3990000" in found["footer"]
    assert found["footer links"] == ["Site map", "Contact us"]
    assert found["badge"] == "Party and government organ"
    assert found["elder"] == "Senior-friendly"
    assert found["skip"] == "Skip to main content"
    assert (found["breadcrumbs"], found["home crumb"]) == ("You are here", "Home")
    assert found["search"] == "Search"
    # no Chinese label is left; only the data (the site's name, the operator) may be Chinese
    labels_only = {k: v for k, v in found.items() if k != "footer"}
    assert not CHINESE.search(str(labels_only)), labels_only


def test_a_mongolian_page_has_mongolian_labels(multilingual):
    alpha, paths = multilingual
    found = labels(doc(site_client(alpha).get(paths["mn"])))
    assert "ᠡᠷᠬᠢᠯᠡᠭᠴᠢ ᠨᠢᠭᠡᠴᠢ᠄" in found["footer"]  # 主办单位
    assert "主办单位" not in found["footer"] and "网站标识码" not in found["footer"]
    assert found["elder"] == "ᠥᠨᠳᠦᠷ ᠨᠠᠰᠤᠲᠠᠨ ᠤ ᠵᠠᠭᠪᠤᠷ"
    for name, label in found.items():
        if name != "footer":
            assert MONGOLIAN_SCRIPT.search(str(label)) and not CHINESE.search(str(label)), name


def test_a_chinese_page_stays_chinese(multilingual):
    alpha, paths = multilingual
    found = labels(doc(site_client(alpha).get(paths["zh-hans"])))
    assert "主办单位：" in found["footer"] and "承办单位：乌海市大数据中心" in found["footer"]
    assert found["footer links"] == ["网站地图", "联系我们"]
    assert (found["elder"], found["skip"], found["home crumb"]) == ("长者模式", "跳到正文", "首页")
    # …and 繁體 is the Simplified page converted, labels included
    traditional = labels(doc(site_client(alpha).get("/zh-hant" + paths["zh-hans"])))
    assert traditional["elder"] == "長者模式" and traditional["footer links"][0] == "網站地圖"


def test_the_menu_and_home_link_of_a_version_stay_in_that_version(multilingual):
    alpha, paths = multilingual
    page = doc(site_client(alpha).get(paths["en"]))
    menu = page.xpath("//nav[@class='site-nav']//a")
    assert [(a.text_content(), a.get("href")) for a in menu][:2] == [
        ("Home", "/en/"),
        ("News", "/en/" + paths["en"].split("/")[2] + "/"),
    ]
    assert page.xpath("//a[@class='site-brand']")[0].get("href") == "/en/"
    # the untranslated-page note is said in the reader's language
    chinese = doc(site_client(alpha).get("/tzgg/"))
    note = chinese.xpath("//div[@class='reading-tools']/a[@hreflang='en']/span")[0]
    assert note.get("lang") == "zh-Hans" and "本页暂无英文版" in note.text_content()


def _template_msgids() -> set[str]:
    found = set()
    for name in PUBLIC_TEMPLATES:
        source = (Path(settings.BASE_DIR) / name).read_text(encoding="utf-8")
        found.update(re.findall(r"gettext\(u'(.*?)'\)", templatize(source, name)))
    return found


@pytest.mark.parametrize("language", ["en", "mn"])
def test_the_catalogue_translates_every_public_label(language):
    folder = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES"
    catalogue = gettext.GNUTranslations((folder / "django.mo").open("rb"))
    msgids = _template_msgids()
    assert len(msgids) > 25 and "长者模式" in msgids
    missing = [m for m in msgids if catalogue.gettext(m) == m]
    assert not missing, f"add these to locale/{language}/LC_MESSAGES/django.po: {missing}"
    # the committed .mo is compiled from the .po as it stands (msgfmt after every edit)
    source = (folder / "django.po").read_text(encoding="utf-8")
    entries = re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', source, flags=re.M)
    assert len(entries) >= len(msgids)
    for msgid, msgstr in entries:
        assert msgstr and catalogue.gettext(msgid) == msgstr, msgid
