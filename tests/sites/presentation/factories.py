"""Language versions made the way the demo makes them (sites.presentation.demo)."""

from django_tenants.utils import schema_context
from wagtail.models import Locale

from sites.core.models import ArticlePage, HomePage
from sites.presentation import demo
from tests.factories import make_article

MEETING = "市政府召开第二十六次常务会议"
MEETING_SUMMARY = "会议研究部署冬季供暖保障、安全生产和明年民生实事项目谋划等工作。"
MEETING_PARAGRAPH = next(t for t in demo.STRINGS["en"] if t.startswith("11月24日，市长主持"))


def make_language_versions(website) -> dict:
    """`website` with English and Mongolian versions (its registry entry's languages) and the
    demo's meeting article translated by the demo seeder: the article's path per language."""
    website.languages = ["zh-hans", "en", "mn"]
    website.save()
    with schema_context(website.schema_name):
        article = ArticlePage.objects.filter(title=MEETING, locale__language_code="zh-hans").first()
    if article is None:
        article = make_article(website, MEETING, MEETING_PARAGRAPH, summary=MEETING_SUMMARY)
    demo.seed_languages()
    with schema_context(website.schema_name):
        paths = {
            code: article.get_translation(Locale.objects.get(language_code=code)).url
            for code in ("en", "mn")
        }
        paths["zh-hans"] = article.url
    return paths


def remove_language_versions(website, languages) -> None:
    """Undo `make_language_versions` where its pages were committed (browser tests share the
    site with the journeys after them): the translated trees go, the registry entry is as it
    was. Other journeys look their columns up by slug, which must name one page again."""
    with schema_context(website.schema_name):
        default = Locale.get_default()
        for home in HomePage.objects.exclude(locale=default):
            home.delete()
    website.languages = languages
    website.save()
