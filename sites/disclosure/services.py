"""What the disclosure area does: numbering, the catalogue, yearly figures."""

import csv
import io
import logging

from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django_tenants.utils import get_tenant_model

from .forms import CatalogueFilterForm
from .models import DisclosureItem, IndexNumberSequence, PolicyDocumentPage, TopicCategory
from .models.items import normalise_document_number

log = logging.getLogger("jiyue.disclosure")


# --- index numbers (索引号) ---------------------------------------------------------------
def site_code_prefix() -> str:
    """The site identifier code (网站标识码) of the site in use, or its schema name."""
    website = get_tenant_model().objects.current()
    return (website.site_code if website is not None else "") or connection.schema_name.upper()


def allocate_index_number(year: int | None = None) -> str:
    """The next index number of this site: <site code>/<year>-<serial>.

    One row per year is bumped with INSERT … ON CONFLICT DO UPDATE … RETURNING: PostgreSQL
    locks that row until the caller's transaction ends, so two transactions can never get
    the same serial, and the counter only goes up, so a number is never issued twice. A
    number typed in by hand (legacy items) is skipped over rather than issued again.
    """
    year = year or timezone.localdate().year
    prefix = site_code_prefix()
    table = IndexNumberSequence._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"INSERT INTO {table} (year, last_serial) VALUES (%s, 1) "  # noqa: S608 (our table name)
                f"ON CONFLICT (year) DO UPDATE SET last_serial = {table}.last_serial + 1 "
                "RETURNING last_serial",
                [year],
            )
            serial = cursor.fetchone()[0]
            number = f"{prefix}/{year}-{serial:05d}"
            if not DisclosureItem.objects.filter(index_number=number).exists():
                return number


# --- the public catalogue -----------------------------------------------------------------
def catalogue_items(site_root):
    """Every published, public disclosure item of the site, newest first."""
    return DisclosureItem.objects.live().public().descendant_of(site_root).order_by("-date", "-pk")


def browse_catalogue(params, site_root) -> dict:
    """The catalogue's context: filter form, one page of entries. A fixed number of queries
    whatever the page size: the entries are read in one query with only listed columns."""
    items = catalogue_items(site_root)
    # Years from the oldest item to now: one index probe, where DISTINCT over every item's
    # date costs a scan of the whole catalogue on each view.
    first = DisclosureItem.objects.order_by("date").values_list("date", flat=True).first()
    this_year = timezone.localdate().year
    years = range(this_year, (first.year if first else this_year) - 1, -1)
    form = CatalogueFilterForm(params or None, years=years)
    filters = form.cleaned_data if form.is_valid() else {}
    if filters.get("category"):
        items = items.filter(topic_category_id=filters["category"])
    if filters.get("genre"):
        items = items.filter(genre=filters["genre"])
    if filters.get("year"):
        items = items.filter(date__year=filters["year"])
    if filters.get("department"):
        items = items.filter(department_id=filters["department"])
    if filters.get("validity"):
        items = items.filter(validity=filters["validity"])
    if filters.get("q"):
        # 文号 are stored as printed (〔2026〕); a visitor types [2026], （2026） or (2026).
        items = items.filter(
            Q(title__icontains=filters["q"])
            | Q(document_number__icontains=normalise_document_number(filters["q"]))
        )
    items = items.only(
        "title", "url_path", "path", "depth", "date", "index_number", "document_number", "validity"
    )
    paginator = Paginator(items, filters.get("per_page") or 20)
    page_obj = paginator.get_page(params.get("page") if params else 1)
    return {
        "filter_form": form,
        "page_obj": page_obj,
        "is_filtered": bool({k: v for k, v in filters.items() if v and k != "per_page"}),
    }


def repealed_ids(pages) -> set:
    """Which of these pages (any page type) are repealed documents: one query for a list."""
    ids = [p.pk for p in pages]
    if not ids:
        return set()
    return set(
        DisclosureItem.objects.filter(
            pk__in=ids, validity=DisclosureItem.Validity.REPEALED
        ).values_list("pk", flat=True)
    )


# --- yearly disclosure report figures (政府信息公开工作年度报告) -----------------------------
def yearly_report(year: int) -> dict:
    """Counts for a year: items published by category, scope and genre; documents made,
    amended and repealed. Published = live items whose publish date falls in the year."""
    # order_by(): without it the page tree's default ordering joins the GROUP BY
    published = DisclosureItem.objects.live().filter(date__year=year).order_by()
    by_category = dict(published.values_list("topic_category").annotate(n=Count("pk")))
    by_scope = dict(published.values_list("scope").annotate(n=Count("pk")))
    by_genre = dict(published.values_list("genre").annotate(n=Count("pk")))
    documents = PolicyDocumentPage.objects.live()
    return {
        "year": year,
        "total": published.count(),
        "by_category": [(c.name, by_category.get(c.pk, 0)) for c in TopicCategory.objects.all()],
        "by_scope": [(label, by_scope.get(v, 0)) for v, label in DisclosureItem.Scope.choices],
        "by_genre": [(label, by_genre.get(v, 0)) for v, label in DisclosureItem.Genre.choices],
        "documents": [
            ("制发", documents.filter(date__year=year).count()),
            (
                "修订",
                documents.filter(
                    validity=DisclosureItem.Validity.AMENDED, validity_changed_on__year=year
                ).count(),
            ),
            (
                "废止",
                documents.filter(
                    validity=DisclosureItem.Validity.REPEALED, validity_changed_on__year=year
                ).count(),
            ),
        ],
    }


def yearly_report_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["年份", "分组", "项目", "数量"])
    writer.writerow([report["year"], "合计", "公开信息总数", report["total"]])
    for group, key in [
        ("主题分类", "by_category"),
        ("公开方式", "by_scope"),
        ("体裁", "by_genre"),
        ("政策文件", "documents"),
    ]:
        for label, count in report[key]:
            writer.writerow([report["year"], group, label, count])
    return out.getvalue()
