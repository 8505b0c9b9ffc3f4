"""The city-wide banner on a phone (issue 13 item 5, I5): one line per banner (the rest after an
ellipsis), the whole line a link to the item, the level by colour and in words, readable."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from federation.syndication import broadcasts
from tenants import services


def _luminance(rgb):
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _rgb(css):
    return [int(float(part)) for part in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]


def test_a_long_yellow_banner_is_one_line_on_a_phone_and_links_to_the_item(new_page, site_url):
    alpha = services.get_site("alpha")
    stamp = f"{datetime.datetime.now():%H%M%S%f}"
    title = f"关于强降雨黄色预警的紧急通知 {stamp}"
    now = timezone.now()
    banner = broadcasts.post_broadcast(
        title=title,
        text="预计今夜至明日有大到暴雨，局地大暴雨，请远离河道、低洼地带，减少外出，注意用电安全。"
        * 2,
        link="http://alpha.localhost/tzgg/",
        level="yellow",
        starts_at=now - datetime.timedelta(minutes=1),
        ends_at=now + datetime.timedelta(hours=1),
    )
    broadcasts.forget_cache()
    try:
        phone = new_page()
        phone.set_viewport_size({"width": 390, "height": 844})
        phone.goto(site_url(alpha, "/"))
        alert = phone.get_by_role("alert", name="全市紧急通知")
        expect(alert).to_contain_text("黄色预警")  # the level in words
        link = alert.get_by_role("link").first
        expect(link).to_have_attribute("href", "http://alpha.localhost/tzgg/")
        metrics = link.evaluate(
            """el => { const s = getComputedStyle(el), p = getComputedStyle(el.parentElement);
                return {height: el.getBoundingClientRect().height,
                        line: parseFloat(s.lineHeight) || parseFloat(s.fontSize) * 1.6,
                        padding: parseFloat(s.paddingTop) + parseFloat(s.paddingBottom),
                        overflow: el.scrollWidth > el.clientWidth,
                        ellipsis: s.textOverflow, color: s.color, background: p.backgroundColor,
                        width: el.getBoundingClientRect().width}; }"""
        )
        assert metrics["width"] <= 390
        assert metrics["height"] - metrics["padding"] < 1.5 * metrics["line"], metrics  # one line
        assert metrics["overflow"] and metrics["ellipsis"] == "ellipsis"
        fg, bg = _luminance(_rgb(metrics["color"])), _luminance(_rgb(metrics["background"]))
        contrast = (max(fg, bg) + 0.05) / (min(fg, bg) + 0.05)
        assert contrast >= 4.5, (metrics, contrast)
    finally:
        broadcasts.withdraw_broadcast(banner)
        broadcasts.forget_cache()
