"""V5: English and Mongolian trees (wagtail-localize) where the registry enables them; the
switch never leads to a 404; Mongolian reads vertically in the shipped font; the admin stays
Chinese."""

import pytest
from django_tenants.utils import schema_context
from lxml import html as lxml_html
from wagtail.models import Locale

from sites.presentation import demo
from tests.clients import admin_client, site_client
from tests.factories import make_article
from tests.sites.presentation.factories import MEETING_PARAGRAPH, MEETING_SUMMARY

pytestmark = pytest.mark.django_db


def doc(response):
    assert response.status_code == 200, response.status_code
    return lxml_html.fromstring(response.content.decode())


@pytest.fixture
def multilingual(alpha, committed):
    alpha.languages = ["zh-hans", "en", "mn"]
    alpha.save()
    with committed():
        # the demo's article: its first paragraph and summary are in the demo's strings
        article = make_article(
            alpha, "市政府召开第二十六次常务会议", MEETING_PARAGRAPH, summary=MEETING_SUMMARY
        )
    result = demo.seed_languages()
    assert result["translated pages"] >= 4  # two homes, the article in two languages
    with schema_context("alpha"):
        english = article.get_translation(Locale.objects.get(language_code="en"))
        mongolian = article.get_translation(Locale.objects.get(language_code="mn"))
        paths = {"zh": article.url, "en": english.url, "mn": mongolian.url, "zh_id": article.pk}
    return alpha, paths


def test_english_and_mongolian_home_pages(multilingual):
    alpha, paths = multilingual
    client = site_client(alpha)
    english = doc(client.get("/en/"))
    assert english.get("lang") == "en"
    assert "Wuhai Municipal People's Government" in english.text_content()
    assert "The 26th executive meeting" in english.text_content()
    mongolian = doc(client.get("/mn/"))
    assert mongolian.get("lang") == "mn"
    assert "mongolian-vertical" in mongolian.xpath("//main")[0].get("class")
    css = client.get("/static/presentation/reading.css")
    body = b"".join(css.streaming_content) if css.streaming else css.content
    assert b"writing-mode: vertical-lr" in body and b"NotoSansMongolian-Regular.woff2" in body
    font = client.get("/static/presentation/fonts/NotoSansMongolian-Regular.woff2")
    assert font.status_code == 200


def test_the_switch_leads_to_the_translation_or_clearly_to_the_versions_home(multilingual):
    alpha, paths = multilingual
    client = site_client(alpha)
    assert paths["en"].startswith("/en/")
    article = doc(client.get(paths["zh"]))
    links = {a.get("hreflang"): a for a in article.xpath("//div[@class='reading-tools']/a")}
    assert links["en"].get("href") == paths["en"] and links["en"].get("data-untranslated") is None
    untranslated = doc(client.get("/tzgg/"))
    links = {a.get("hreflang"): a for a in untranslated.xpath("//div[@class='reading-tools']/a")}
    assert links["en"].get("href") == "/en/"
    assert links["en"].get("data-untranslated") is not None
    assert "本页暂无英文版" in links["en"].text_content()
    # every link of the switch answers (no 404 from the switch)
    for page_path in (paths["zh"], "/tzgg/", paths["en"], "/mn/"):
        page = doc(client.get(page_path))
        for link in page.xpath("//div[@class='reading-tools']/a"):
            assert client.get(link.get("href")).status_code == 200, (page_path, link.get("href"))
    english = doc(client.get(paths["en"]))
    back = {
        a.get("hreflang"): a.get("href") for a in english.xpath("//div[@class='reading-tools']/a")
    }
    assert back["zh-hans"] == paths["zh"]


def test_a_site_that_does_not_enable_a_language_has_no_such_version(multilingual, beta):
    client = site_client(beta)
    assert client.get("/en/").status_code == 404
    page = doc(client.get("/"))
    assert not page.xpath("//div[@class='reading-tools']/a[@hreflang='en']")


def test_the_admin_stays_chinese(multilingual):
    alpha, _ = multilingual
    response = admin_client(alpha).get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "仪表板" in response.content.decode() or "控制面板" in response.content.decode()


def test_editors_see_the_translations_of_a_page(multilingual):
    alpha, paths = multilingual
    edit = admin_client(alpha).get(f"/admin/pages/{paths['zh_id']}/edit/").content.decode()
    # the admin knows both versions (its locale switcher) …
    assert '"code": "en", "display_name": "English"' in edit
    assert '"code": "mn", "display_name"' in edit
    # … and wagtail-localize's translation report is in the menu and answers
    assert "/admin/localize/reports/translations/" in edit
    report = admin_client(alpha).get("/admin/localize/reports/translations/")
    assert report.status_code == 200


def test_a_site_with_translations_still_has_one_home_for_the_code_that_asks(multilingual):
    """make run failed once the portal had English and Mongolian home pages: the welfare demo
    (and others) asked for *the* HomePage and got three."""
    from sites.core.models import HomePage
    from sites.welfare import demo as welfare_demo

    alpha, _ = multilingual
    with schema_context("alpha"):
        assert HomePage.objects.count() == 3
        home = HomePage.of_site()
        assert home.locale.language_code == "zh-hans" and home.url_path.count("/") == 2
    welfare_demo.seed()  # the demo seeder that failed: it runs on every site, alpha included


def test_the_library_holds_the_chinese_original_only(multilingual):
    """An English version shares its original's translation_key, the library item's key: its
    publish must neither overwrite the Chinese item nor collide with it (make run failed on
    the duplicate key when the demo's translations were projected)."""
    from federation.library import services as library
    from federation.library.models import LibraryItem

    alpha, paths = multilingual
    with schema_context("alpha"):
        from wagtail.models import Page

        article = Page.objects.get(pk=paths["zh_id"])
        english = article.get_translation(Locale.objects.get(language_code="en"))
        english.specific.save_revision().publish()  # an editor republishes the English version
    items = LibraryItem.objects.filter(item_key=f"alpha:{article.translation_key}")
    assert [(i.title, i.withdrawn) for i in items] == [("市政府召开第二十六次常务会议", False)]
    with schema_context("alpha"):
        assert library.project_new_pages(alpha) == []  # nothing left over, no duplicate key


def test_the_demo_translations_are_wagtail_localize_translations(multilingual):
    """The translation report lists them with their progress: the English article is fully
    translated, the Mongolian one waits for its paragraphs (and shows no Chinese meanwhile)."""
    from wagtail_localize.models import StringSegment, StringTranslation, Translation

    alpha, paths = multilingual

    def waiting(translation) -> list[str]:
        """The fields of the strings of `translation` nobody has translated yet."""
        done = StringTranslation.objects.filter(locale=translation.target_locale)
        return sorted(
            segment.context.path.split(".")[0]
            for segment in StringSegment.objects.filter(source=translation.source)
            if not done.filter(translation_of=segment.string, context=segment.context).exists()
        )

    with schema_context("alpha"):
        found = {
            (t.source.object_repr, t.target_locale.language_code): (t.get_progress(), waiting(t))
            for t in Translation.objects.select_related("source", "target_locale")
        }
    article = "市政府召开第二十六次常务会议"
    (total, translated), missing = found[(article, "en")]
    assert total >= 3 and translated == total and missing == []  # title, summary, the paragraph
    (total, translated), missing = found[(article, "mn")]
    assert translated == total - 1 and missing == ["body"]  # the paragraph waits
    assert set(found) >= {(article, "en"), (article, "mn"), ("工作动态", "en"), ("工作动态", "mn")}
    home_title = next(r for r, _ in found if r.endswith("人民政府"))
    assert "title" not in found[(home_title, "en")][1]
    english = doc(site_client(alpha).get(paths["en"])).text_content()
    assert "On 24 November the mayor chaired" in english and "市长主持" not in english
    mongolian = doc(site_client(alpha).get(paths["mn"]))
    assert "市长主持" not in mongolian.xpath("//main")[0].text_content()
    # the admin's report (Chinese admin) lists every one, with the status editors read
    report = admin_client(alpha).get("/admin/localize/reports/translations/results/")
    assert report.status_code == 200
    rows = lxml_html.fromstring(report.content.decode()).xpath("//table//tbody/tr")
    listed = [" ".join(row.text_content().split()) for row in rows]
    assert len(listed) == len(found)
    english_row = next(r for r in listed if "The 26th executive meeting" in r)
    mongolian_row = next(r for r in listed if article in r and "ᠬᠤᠷᠠᠯ" in r)
    assert "保持最新" in english_row  # Up to date
    assert "待翻译" in mongolian_row  # Waiting for translations
    # seeding again changes nothing (make run on an existing database)
    assert demo.seed_languages() == {"translated pages": 0}
