"""What a new site gets from the disclosure area: review groups and workflows, departments,
and the catalogue page under its disclosure column. A provisioning step
(SITE_PROVISIONING_STEPS), after sites.core has made the home page and its columns."""

from sites.core.models import ColumnPage, HomePage

from .models import CataloguePage, Department
from .workflows import ensure_review_workflows


def build_disclosure_content(website) -> None:
    ensure_review_workflows()
    office = f"{website.short_name or website.legal_name}办公室"
    Department.objects.get_or_create(name=office[:60], defaults={"sort_order": 1})
    ensure_catalogue_page(HomePage.of_site())


def ensure_catalogue_page(home):
    existing = CataloguePage.objects.descendant_of(home).first()
    if existing:
        return existing
    column = (
        ColumnPage.objects.child_of(home)
        .filter(column_type=ColumnPage.ColumnType.DISCLOSURE)
        .first()
    )
    if column is None:
        return None
    return column.add_child(
        instance=CataloguePage(
            title="政府信息公开目录",
            slug="catalogue",
            show_in_menus=True,
            intro="按主题分类、体裁、年份、责任部门和效力状态查找本网站公开的政府信息。",
        )
    )
