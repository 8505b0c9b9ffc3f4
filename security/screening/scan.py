"""A full scan of a site's published items: the per-site report (manage.py screening_scan,
the admin's report) and the scorecard's 内容安全 indicator (ContentSafety)."""

import time
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django_tenants.utils import schema_context
from wagtail.models import Page

from . import guard, services
from .models import ScreeningOverride


@dataclass
class PageReport:
    page_id: int
    title: str
    url: str
    findings: list
    open_serious: list


@dataclass
class SiteReport:
    schema_name: str
    pages_scanned: int = 0
    seconds: float = 0.0
    pages: list[PageReport] = field(default_factory=list)  # only pages with findings

    @property
    def findings_count(self) -> int:
        return sum(len(p.findings) for p in self.pages)

    @property
    def open_serious_count(self) -> int:
        return sum(len(p.open_serious) for p in self.pages)

    @property
    def pages_with_open_serious(self) -> int:
        return sum(1 for p in self.pages if p.open_serious)

    def by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for page in self.pages:
            for finding in page.findings:
                counts[finding.kind_label] = counts.get(finding.kind_label, 0) + 1
        return counts


def item_models():
    from wagtail.models import get_page_models

    return [m for m in get_page_models() if not getattr(m, "library_exclude", False)]


def scan_site(schema_name: str, chunk_size: int = 500) -> SiteReport:
    """Every live item of the site against the dictionaries that apply there."""
    started = time.perf_counter()
    report = SiteReport(schema_name)
    with schema_context(schema_name):
        compiled = services.matchers(schema_name)
        done: dict[int, set[str]] = {}
        for page_id, fingerprint in ScreeningOverride.objects.values_list("page_id", "fingerprint"):
            done.setdefault(page_id, set()).add(fingerprint)
        # One query for the page types the site has live: a fresh site uses a few of the ~20,
        # and a cursor per absent type was most of the scorecard's time (bench: monitoring).
        present = set(
            Page.objects.live().order_by().values_list("content_type_id", flat=True).distinct()
        )
        for model in item_models():
            if model._meta.abstract:
                continue
            if ContentType.objects.get_for_model(model).pk not in present:
                continue
            # the most specific rows only: a subclass's pages are scanned as that subclass
            for page in model.objects.live().exact_type(model).iterator(chunk_size=chunk_size):
                report.pages_scanned += 1
                if not compiled:
                    continue
                findings = guard.check_page(page, compiled)
                if not findings:
                    continue
                accepted = done.get(page.pk, set())
                report.pages.append(
                    PageReport(
                        page.pk,
                        page.title,
                        page.url_path,
                        findings,
                        [f for f in services.serious(findings) if f.fingerprint not in accepted],
                    )
                )
    report.seconds = time.perf_counter() - started
    return report


class ContentSafety:
    """The scorecard's 内容安全 indicator (listed in SCORECARD_INDICATORS; monitoring's interface,
    docs/monitoring.md). A serious 错 in published content (a leader's name or title written
    wrong, a sensitive word) fails a national inspection outright, so an open serious finding is
    a veto item; lesser findings are a note with their count."""

    code = "content.safety"
    label = "内容安全（错敏词）"
    settings = ()

    def compute(self, site) -> list[dict]:
        report = scan_site(site.website.schema_name)
        if report.open_serious_count:
            return [
                {
                    "severity": "veto",
                    "title": f"{report.pages_with_open_serious} 条已发布信息有严重错敏词"
                    f"（共 {report.open_serious_count} 处）",
                    "fix": "打开该信息的编辑页，按错敏词提示改正后重新发布；确属无误的由审核人填写理由放行",
                    "detail": "、".join(p.title for p in report.pages if p.open_serious)[:500],
                    "admin_path": f"/admin/pages/{next(p.page_id for p in report.pages if p.open_serious)}/edit/",
                }
            ]
        if report.findings_count:
            return [
                {
                    "severity": "note",
                    "title": f"已发布信息中有 {report.findings_count} 处一般错敏词提示",
                    "fix": "在编辑页查看提示，需要时改正",
                    "detail": "，".join(f"{k} {n} 处" for k, n in report.by_kind().items()),
                    "admin_path": "/admin/",
                }
            ]
        return []
