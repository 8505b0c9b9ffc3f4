"""A full scan of a site's published items: the per-site report (manage.py screening_scan,
the admin's report) and the figure a scorecard reads (scorecard_indicator)."""

import time
from dataclasses import dataclass, field

from django_tenants.utils import schema_context

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
        for model in item_models():
            if model._meta.abstract:
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


def scorecard_indicator(website) -> dict:
    """内容安全（错敏词）for a site's scorecard: passes with no open serious finding."""
    report = scan_site(website.schema_name)
    return {
        "code": "content_safety",
        "label": "内容安全（错敏词）",
        "value": report.open_serious_count,
        "passed": report.open_serious_count == 0,
        "detail": (
            f"已检查 {report.pages_scanned} 条信息，{report.pages_with_open_serious} 条有未处理的"
            f"严重错敏词（共 {report.open_serious_count} 处），提示 {report.findings_count} 处"
        ),
    }
