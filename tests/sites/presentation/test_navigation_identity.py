"""V1 depth from home, V2 identities: the setting, the editor's warning, the count; themes
contrast-checked; the demo's identities visibly different; the favicon per site."""

import re
from pathlib import Path

import pytest
from django_tenants.utils import schema_context
from wagtail.models import Site

from sites.core.models import ColumnPage, SiteIdentity
from sites.presentation import demo, navigation
from sites.presentation.models import PresentationSettings
from tests.clients import admin_client, site_client

SITE_CSS = Path(__file__).resolve().parents[3] / "sites" / "core" / "static" / "core" / "site.css"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_theme_of_the_palette_passes_wcag_aa_contrast():
    css = SITE_CSS.read_text()
    themes = {"red": css.split(":root", 1)[1].split("}", 1)[0]}
    for name in SiteIdentity.Theme.values:
        found = re.search(rf"\.theme-{name}\s*\{{([^}}]*)\}}", css)
        if found:
            themes[name] = found.group(1)
    assert set(themes) == set(SiteIdentity.Theme.values), "a theme without colours in site.css"
    for name, block in themes.items():
        colours = dict(re.findall(r"--(brand(?:-dark)?):\s*(#[0-9a-fA-F]{6})", block))
        # white text on the header and the menu; links in brand-dark on white
        assert contrast(colours["brand"], "#ffffff") >= 4.5, name
        assert contrast(colours["brand-dark"], "#ffffff") >= 4.5, name


@pytest.mark.django_db
def test_an_editor_creating_a_page_too_deep_is_warned(alpha):
    with schema_context("alpha"):
        site = Site.objects.get()
        settings = PresentationSettings.for_site(site)
        settings.max_depth = 2
        settings.save()
        notices = ColumnPage.objects.get(slug="tzgg")
        sub = notices.add_child(instance=ColumnPage(title="分栏目", slug="fenlanmu"))
        deeper = sub.add_child(instance=ColumnPage(title="更深", slug="gengshen"))
        assert navigation.too_deep_under(notices, site) is None  # 2 clicks: allowed
        assert navigation.too_deep_under(sub, site) == 3
        assert [p.pk for p in navigation.pages_too_deep()] == [deeper.pk]
        [finding] = navigation.PageDepth().compute(alpha)  # what the scorecard counts
        assert (
            finding["severity"] == "warning" and "1 个页面距首页超过 2 次点击" in finding["title"]
        )
    client = admin_client(alpha)
    fine = client.get(f"/admin/pages/add/core/columnpage/{notices.pk}/")
    assert fine.status_code == 200 and "超过本站设定" not in fine.content.decode()
    warned = client.get(f"/admin/pages/add/core/columnpage/{sub.pk}/")
    assert warned.status_code == 200
    assert "新页面距首页需要点击 3 次，超过本站设定的 2 次" in warned.content.decode()


@pytest.mark.django_db
def test_the_demo_gives_sites_visibly_different_identities(alpha, beta, portal):
    demo.seed()
    themes, icons = {}, {}
    for website in (alpha, beta, portal):
        with schema_context(website.schema_name):
            site = Site.objects.get()
            themes[website.kind] = SiteIdentity.for_site(site).theme
            settings = PresentationSettings.for_site(site)
            assert settings.favicon_id
            if website.kind == "portal":
                assert settings.header_image_id
        page = site_client(website).get("/").content.decode()
        assert f'class="theme-{themes[website.kind]} ' in page
        icons[website.kind] = site_client(website).get("/favicon.ico")["Location"]
    assert len(set(themes.values())) == 3, themes
    assert len(set(icons.values())) == 3 and all("/media/" in u for u in icons.values())
    assert 'style="--header-image: url(' in site_client(portal).get("/").content.decode()
    assert demo.seed()["identities"] == 0  # idempotent: nothing new to write
