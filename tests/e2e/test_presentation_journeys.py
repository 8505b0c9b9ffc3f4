"""V5, V6 in a real browser: the keyboard alone gets through the header and a form, focus is
always visible; the elder-friendly mode is one press away, remembered with no cookie, and the
page it is applied to is the very same cached HTML; the 繁體 switch keeps the reader's page."""

from pathlib import Path

import pytest
from django.test import override_settings

from tenants import services
from tests.sites.presentation.factories import make_language_versions, remove_language_versions

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _focus_is_visible(page) -> bool:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return false;
            const style = getComputedStyle(el);
            return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
        }"""
    )


def test_keyboard_walk_of_the_header_menu_and_the_search_form(new_page, site_url):
    alpha = services.get_site("alpha")
    page = new_page()
    page.goto(site_url(alpha, "/"))
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.textContent.trim()")
    assert skip == "跳到正文"
    assert _focus_is_visible(page)
    assert page.evaluate("document.activeElement.getBoundingClientRect().left >= 0")
    # Through the header: every stop is visible, and every column of the menu is reached.
    menu = page.eval_on_selector_all(".site-nav a", "els => els.map(a => a.textContent.trim())")
    reached, search_box = [], False
    for _ in range(40):
        page.keyboard.press("Tab")
        assert _focus_is_visible(page), page.evaluate("document.activeElement.outerHTML")
        here = page.evaluate(
            "[document.activeElement.closest('.site-nav') !== null,"
            " document.activeElement.textContent.trim(), document.activeElement.name || '']"
        )
        if here[0]:
            reached.append(here[1])
        search_box = search_box or here[2] == "q"
        if reached == menu:
            break
    assert reached == menu and search_box
    # Enter on a menu item follows it.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("location.pathname") != "/"
    # The skip link moves focus into the main content.
    page.goto(site_url(alpha, "/"))
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # A form by keyboard alone: the search box, type, Enter.
    page.focus("input[name=q]")
    page.keyboard.type("供暖")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement !== null")
    assert "供暖" in page.input_value("#search-q")


def test_elder_mode_is_remembered_without_a_cookie_and_served_from_the_cache(new_page, site_url):
    alpha = services.get_site("alpha")
    with override_settings(PAGECACHE_ENABLED=True):
        page = new_page()
        page.goto(site_url(alpha, "/tzgg/"))
        normal_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        page.click("[data-elder-toggle]")
        assert page.evaluate("document.documentElement.classList.contains('elder-mode')")
        assert page.get_attribute("[data-elder-toggle]", "aria-pressed") == "true"
        larger = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert larger >= normal_size * 1.25
        assert (
            page.evaluate(
                "parseFloat(getComputedStyle(document.body).lineHeight)"
                " / parseFloat(getComputedStyle(document.body).fontSize)"
            )
            >= 1.9
        )
        assert page.context.cookies() == [], "no cookie: nothing to ask consent for"
        # Another page of the site: already in the mode before the first paint (the class is
        # set by the blocking head script, before <body> exists).
        response = page.goto(site_url(alpha, "/zh-hant/tzgg/"))
        assert page.evaluate("document.documentElement.classList.contains('elder-mode')")
        assert response.headers.get("x-page-cache") in ("miss", "hit", "learn")
        again = page.goto(site_url(alpha, "/zh-hant/tzgg/"))
        assert again.headers.get("x-page-cache") == "hit"
        assert page.evaluate("document.documentElement.classList.contains('elder-mode')")
        # The cached bytes are the same for a visitor without the mode.
        other = new_page()
        plain = other.goto(site_url(alpha, "/zh-hant/tzgg/"))
        assert plain.headers.get("x-page-cache") == "hit"
        assert plain.headers["etag"] == again.headers["etag"]  # the same bytes
        assert not other.evaluate("document.documentElement.classList.contains('elder-mode')")
        # The 繁體 switch leads back to the same page in Simplified.
        with page.expect_navigation():
            page.click(".reading-tools a[hreflang=zh-Hans]")
        assert page.evaluate("location.pathname") == "/tzgg/"
        assert page.evaluate("document.documentElement.lang") == "zh-Hans"


@pytest.fixture
def alpha_with_versions(live_port):
    alpha = services.get_site("alpha")
    before = list(alpha.languages or [])
    make_language_versions(alpha)
    yield alpha
    remove_language_versions(alpha, before)


def test_the_mongolian_label_of_the_switch_renders_on_chinese_and_english_pages(
    new_page, site_url, alpha_with_versions
):
    """The label ᠮᠣᠩᠭᠣᠯ is drawn in the shipped font's 3.5 KB subset on every page, not as boxes
    (the full 85 KB font is for Mongolian pages only)."""
    label_font = "NotoSansMongolian-label.woff2"
    for path in ("/", "/en/"):
        page = new_page()
        page.goto(site_url(alpha_with_versions, path))
        label = page.locator(".reading-tools a[hreflang=mn]")
        assert label.text_content() == "ᠮᠣᠩᠭᠣᠯ"
        page.evaluate("document.fonts.ready")
        faces = page.evaluate(
            "[...document.fonts].map(f => [f.family.replace(/\"/g, ''), f.status])"
        )
        assert ["Noto Sans Mongolian Label", "loaded"] in faces, faces
        assert ["Noto Sans Mongolian", "unloaded"] in faces, faces  # not fetched here
        used = label.evaluate("el => getComputedStyle(el).fontFamily")
        assert used.startswith('"Noto Sans Mongolian Label"')
        fetched = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
        assert [url for url in fetched if label_font in url], fetched
        assert not [url for url in fetched if "NotoSansMongolian-Regular" in url], fetched
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = "home" if path == "/" else "en"
        label.screenshot(path=str(SCREENSHOTS / f"mongolian-switch-label-{name}.png"))
    # …and on a Mongolian page the whole font is fetched for the text
    page = new_page()
    page.goto(site_url(alpha_with_versions, "/mn/"))
    page.evaluate("document.fonts.ready")
    fetched = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert [url for url in fetched if "NotoSansMongolian-Regular" in url], fetched
