"""The full scan: a per-site report, the CSV, and the scorecard's figure."""

import io

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from federation.monitoring import scorecards
from security.screening.models import ScreeningOverride
from security.screening.scan import scan_site
from sites.core.models import ArticlePage
from tests.factories import make_article

from .factories import WRONG_NAME, leader_dictionary

pytestmark = pytest.mark.django_db


def test_scan_reports_open_serious_findings_per_site(alpha, beta, tmp_path):
    with schema_context(alpha.schema_name):
        bad = make_article(alpha, "报道一", summary="内容正常")
        accepted = make_article(alpha, "报道二", summary="内容正常")
        make_article(alpha, "报道三", summary="既使如此")
        leader_dictionary()  # the dictionary grows after these went live
        ArticlePage.objects.filter(pk__in=[bad.pk, accepted.pk]).update(summary=f"{WRONG_NAME}出席")
        fingerprint = f"summary|official_name|{WRONG_NAME}"
        ScreeningOverride.objects.create(
            page_id=accepted.pk,
            fingerprint=fingerprint,
            field="摘要",
            kind="official_name",
            text=WRONG_NAME,
            reason="引用原文",
        )
    report = scan_site(alpha.schema_name)
    assert report.pages_scanned >= 3
    assert report.open_serious_count == 1 and report.pages_with_open_serious == 1
    assert report.findings_count == 3
    assert [p.page_id for p in report.pages if p.open_serious] == [bad.pk]
    assert scan_site(beta.schema_name).findings_count == 0  # alpha's dictionary is alpha's
    # the scorecard (SCORECARD_INDICATORS): alpha's open serious finding is a veto, beta clean
    card = scorecards.compute_scorecard(alpha)
    vetoes = [f for f in card.findings.all() if f.indicator == "content.safety"]
    assert [(f.severity, f.title) for f in vetoes] == [
        ("veto", "1 条已发布信息有严重错敏词（共 1 处）")
    ]
    assert vetoes[0].admin_path == f"/admin/pages/{bad.pk}/edit/"
    clean = scorecards.compute_scorecard(beta)
    assert not [f for f in clean.findings.all() if f.indicator == "content.safety"]
    out = io.StringIO()
    target = tmp_path / "report.csv"
    call_command("screening_scan", "--site", alpha.schema_name, "--csv", str(target), stdout=out)
    assert "未处理的严重问题 1 处 / 1 条" in out.getvalue()
    text = target.read_text(encoding="utf-8-sig")
    assert f"【{WRONG_NAME}】出席" in text and "张建国" in text


def test_unknown_site():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="没有这些站点"):
        call_command("screening_scan", "--site", "nosuch", stdout=io.StringIO())
