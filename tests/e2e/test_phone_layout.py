"""Issue 13, item 13: on a phone (390 px wide) the disclosure catalogue and a document's
metadata table are readable: each entry and each label/value pair is stacked, titles get the
width of the screen, nothing scrolls sideways. On a desktop both stay tables."""

import datetime

import pytest
from django_tenants.utils import schema_context

from tenants import services

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def document(live_port):
    """A long-titled policy document on alpha (the live server's committed data)."""
    from sites.disclosure.models import CataloguePage, PolicyDocumentPage
    from tests.sites.disclosure.factories import make_document

    stamp = datetime.datetime.now().strftime("%H%M%S%f")
    with schema_context("alpha"):
        doc = make_document(
            title=f"乌海市甲区关于进一步加强城市道路挖掘占用管理和冬季施工安全工作的通知{stamp}",
            slug=f"phone-{stamp}",
            document_number=f"甲政发〔2026〕{stamp}号",
            date_written=datetime.date(2026, 3, 2),
            date=datetime.date(2026, 3, 5),
        )
        doc = PolicyDocumentPage.objects.get(pk=doc.pk)
        return {
            "url": doc.url,
            "number": doc.document_number,
            "catalogue": CataloguePage.objects.get().url,
        }


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def no_sideways_scroll(page):
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def open_catalogue(new_page, site_url, document, viewport):
    page = new_page()
    page.set_viewport_size(viewport)
    alpha = services.get_site("alpha")
    page.goto(site_url(alpha, f"{document['catalogue']}?q={document['number']}"))
    row = "table.catalogue tbody tr"
    assert page.locator(row).count() == 1
    return page, {
        name: box(page, f"{row} td:nth-child({n})")
        for n, name in enumerate(["index", "title", "number", "date"], start=1)
    }


def test_the_catalogue_stacks_each_entry_on_a_phone(new_page, site_url, document):
    page, cells = open_catalogue(new_page, site_url, document, PHONE)
    title, date, index = cells["title"], cells["date"], cells["index"]
    # the title has (nearly) the whole screen: about 18 characters a line, not 4
    assert title["width"] >= 0.75 * PHONE["width"], cells
    assert index["y"] + index["height"] <= title["y"] + 1  # stacked: index, then title…
    assert title["y"] + title["height"] <= date["y"] + 1  # …then the date, under it
    line = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('table.catalogue td')).lineHeight)"
        " || 24"
    )
    assert date["height"] < 2 * line + 12, cells  # a date on one line, not a char a line
    # each stacked value still says what it is
    label = page.evaluate(
        "getComputedStyle(document.querySelector('table.catalogue td:nth-child(4)'), "
        "'::before').content"
    )
    assert "发布日期" in label
    assert no_sideways_scroll(page)


def test_the_catalogue_stays_a_table_on_a_desktop(new_page, site_url, document):
    _, cells = open_catalogue(new_page, site_url, document, DESKTOP)
    assert abs(cells["title"]["y"] - cells["date"]["y"]) < 2  # one row, side by side
    assert cells["title"]["x"] < cells["date"]["x"]


def test_the_metadata_table_stacks_its_pairs_on_a_phone(new_page, site_url, document):
    page = new_page()
    page.set_viewport_size(PHONE)
    page.goto(site_url(services.get_site("alpha"), document["url"]))
    table = "table.disclosure-meta"
    first_value = box(page, f"{table} tr:first-child td:nth-of-type(1)")
    second_label = box(page, f"{table} tr:first-child th:nth-of-type(2)")
    # 索引号's value, then 主题分类 on the next line, not four columns side by side
    assert second_label["y"] >= first_value["y"] + first_value["height"] - 1
    widths = page.evaluate(
        f"[...document.querySelectorAll('{table} td')].map(td => td.getBoundingClientRect().width)"
    )
    assert min(widths) >= 0.5 * PHONE["width"], widths
    date_cell = box(page, f"{table} time")
    assert date_cell["height"] < 60, date_cell  # 2026年3月5日 on one line
    assert no_sideways_scroll(page)
