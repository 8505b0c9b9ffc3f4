"""Each built-in indicator against a constructed site, with the exact deduction; the framework
(settings seeded with the national defaults and changed by an operator, a registered indicator
from another area, a broken indicator not stopping the card)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from federation.monitoring import builtin, indicators, scorecards
from federation.monitoring.models import BrokenLink, IndicatorSetting, ProbeResult, Scorecard
from sites.core.models import ColumnPage
from tests.factories import make_article

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def run(indicator, website, day=TODAY):
    site = indicators.SiteContext(website=website, day=day, values=indicators.current_values())
    with schema_context(website.schema_name):
        return indicator.compute(site)


def days_ago(n):
    return TODAY - datetime.timedelta(days=n)


def fill_columns(website, slugs, date):
    for slug in slugs:
        make_article(website, f"{slug} 信息", column=slug, date=date)


# alpha is a district: gzdt (news), tzgg (notices), zwgk (disclosure, holds the catalogue),
# zcwj (policy), zcjd (interpretation), bsfw (services), hdjl (interaction).
DATED_COLUMNS = ["gzdt", "tzgg", "zcwj", "zcjd"]


def test_national_defaults_are_seeded_and_an_operator_change_is_used(alpha):
    values = indicators.current_values()
    assert values["home.veto_days"] == 14
    assert values["columns.notices_days"] == 183
    assert values["availability.veto_percent"] == 5
    row = IndicatorSetting.objects.get(key="home.warn_days")
    assert (row.value, row.default, row.indicator) == (10, 10, "首页更新")
    fill_columns(alpha, DATED_COLUMNS, days_ago(8))
    assert run(builtin.HomeFreshness(), alpha) == []
    IndicatorSetting.objects.filter(key="home.warn_days").update(value=7)
    [found] = run(builtin.HomeFreshness(), alpha)
    assert found.severity == "warning" and "8 天未更新" in found.title


def test_home_freshness_warns_at_10_days_and_vetoes_at_14(alpha):
    with schema_context(alpha.schema_name):
        home_id = ColumnPage.objects.get(slug="gzdt").get_parent().pk
    fill_columns(alpha, ["gzdt"], days_ago(10))
    [warning] = run(builtin.HomeFreshness(), alpha)
    assert warning.severity == "warning" and warning.points == 0
    assert warning.admin_path == f"/admin/pages/{home_id}/"
    [veto] = run(builtin.HomeFreshness(), alpha, day=TODAY + datetime.timedelta(days=4))
    assert veto.severity == "veto" and "14 天未更新" in veto.title


def test_undated_items_do_not_count_as_updates_and_cost_half_a_point_each(alpha):
    fill_columns(alpha, DATED_COLUMNS, days_ago(20))
    # Shown dates later than the day they went online: not their publication dates.
    for n in range(3):
        make_article(alpha, f"未来日期 {n}", column="gzdt", date=TODAY + datetime.timedelta(days=2))
    [found] = run(builtin.UndatedItems(), alpha)
    assert found.severity == "deduction" and found.points == Decimal("1.5")
    assert "3 条信息" in found.title and found.admin_path.endswith("/edit/")
    [home] = run(builtin.HomeFreshness(), alpha)
    assert home.severity == "veto" and "20 天未更新" in home.title  # the undated ones ignored


def test_stale_columns_by_type_two_points_each(alpha):
    make_article(alpha, "动态", column="gzdt", date=days_ago(15))  # news: stale after 14 days
    make_article(alpha, "通知", column="tzgg", date=days_ago(100))  # notices: 183 days, fresh
    make_article(alpha, "政策", column="zcwj", date=days_ago(200))  # policy: 183 days, stale
    found = run(builtin.ColumnStaleness(), alpha)
    assert [(f.severity, f.points) for f in found] == [("deduction", 2), ("deduction", 2)]
    assert {f.title for f in found} == {
        "栏目「工作动态」超过 14 天未更新",
        "栏目「政策文件」超过 183 天未更新",
    }
    with schema_context(alpha.schema_name):
        gzdt = ColumnPage.objects.get(slug="gzdt")
    assert f"/admin/pages/{gzdt.pk}/" in {f.admin_path for f in found}


def test_five_stale_columns_veto(alpha):
    with schema_context(alpha.schema_name):
        home = ColumnPage.objects.get(slug="gzdt").get_parent()
        for n in range(3):
            home.add_child(instance=ColumnPage(title=f"动态{n}", slug=f"dt{n}", column_type="news"))
    fill_columns(alpha, ["gzdt", "dt0", "dt1", "dt2", "tzgg"], days_ago(400))
    found = run(builtin.ColumnStaleness(), alpha)
    assert found[0].severity == "veto" and found[0].title.startswith("5 个栏目不更新")
    assert sum(f.points for f in found) == 10


def test_empty_columns_two_points_each_warn_at_three_veto_at_five(alpha):
    fill_columns(alpha, ["gzdt", "tzgg"], TODAY)
    found = run(builtin.EmptyColumns(), alpha)
    # zcwj and zcjd are empty; zwgk holds the catalogue; bsfw and hdjl front the hall/mailbox
    assert [(f.severity, f.points) for f in found] == [("deduction", 2), ("deduction", 2)]
    assert {f.title for f in found} == {
        "栏目「政策文件」没有任何内容",
        "栏目「政策解读」没有任何内容",
    }
    with schema_context(alpha.schema_name):
        home = ColumnPage.objects.get(slug="gzdt").get_parent()
        for n in range(3):
            home.add_child(instance=ColumnPage(title=f"空{n}", slug=f"k{n}", column_type="general"))
    found = run(builtin.EmptyColumns(), alpha)
    assert found[0].severity == "veto" and found[0].title.startswith("5 个空白栏目")
    assert sum(f.points for f in found) == 10
    with schema_context(alpha.schema_name):
        ColumnPage.objects.filter(slug__in=["k1", "k2"]).delete()
    found = run(builtin.EmptyColumns(), alpha)
    assert found[0].severity == "warning" and found[0].title.startswith("已有 3 个空白栏目")


def probes(website, ok, failed, absent=0):
    now = timezone.now()
    rows = [
        ProbeResult(website=website, entry="首页", path="/", ok=True, status=200, started_at=now)
    ] * 0
    for n in range(ok + failed):
        rows.append(
            ProbeResult(
                website=website,
                entry="首页",
                path="/",
                ok=n < ok,
                status=200 if n < ok else 502,
                started_at=now - datetime.timedelta(minutes=30 * n),
            )
        )
    rows += [
        ProbeResult(website=website, entry="信箱", path="/xx/", absent=True, status=404)
        for _ in range(absent)
    ]
    ProbeResult.objects.bulk_create(rows)


def test_availability_from_probes(alpha, beta):
    probes(alpha, ok=39, failed=1, absent=5)  # 2.5% failures: a warning (97.5% ≥ 97? no)
    found = run(builtin.Availability(), alpha)
    assert [(f.severity, f.points) for f in found] == [("deduction", 1)]
    probes(beta, ok=19, failed=1)  # 5% failures: veto, and a point per failure
    found = run(builtin.Availability(), beta)
    assert [(f.severity, f.points) for f in found] == [("veto", 0), ("deduction", 1)]
    assert "5.0%" in found[0].title


def test_availability_warns_below_97_percent(alpha):
    probes(alpha, ok=24, failed=1)  # 96% available, 4% failures
    found = run(builtin.Availability(), alpha)
    assert [(f.severity, f.points) for f in found] == [("warning", 0), ("deduction", 1)]


def entry_probes(website, failed, ok=0):
    now = timezone.now()
    ProbeResult.objects.bulk_create(
        ProbeResult(
            website=website,
            entry="站内搜索",
            path="/search/",
            ok=n < ok,
            status=200 if n < ok else 500,
            started_at=now - datetime.timedelta(minutes=30 * n),
        )
        for n in range(ok + failed)
    )


def test_availability_counts_the_home_page_only_by_the_national_rule(alpha):
    """站点无法访问: the inspections probe the home page; a failing search page is shown to the
    webmaster but neither vetoes nor costs points."""
    probes(alpha, ok=20, failed=0)
    entry_probes(alpha, failed=20)  # the search entry failed every time: half of all probes
    found = run(builtin.Availability(), alpha)
    assert [(f.severity, f.points) for f in found] == [("note", 0)]
    assert found[0].title == "站内搜索（/search/）20 次探测失败 20 次"


def test_availability_counts_every_entry_point_when_the_operator_says_so(alpha):
    IndicatorSetting.objects.update_or_create(
        key="availability.entry_points", defaults=dict(label="全部入口", value=1, default=0)
    )
    probes(alpha, ok=20, failed=0)
    entry_probes(alpha, failed=2, ok=18)  # 2 failures in 40 probes: 5 %, the veto line
    found = run(builtin.Availability(), alpha)
    assert [(f.severity, f.points) for f in found] == [("veto", 0), ("deduction", 2)]
    assert found[0].title.startswith("网站无法访问的比例 5.0%")


def test_broken_links_one_point_on_home_a_tenth_elsewhere(alpha, beta):
    for n, on_home in enumerate([True, False, False, False]):
        BrokenLink.objects.create(
            website=alpha,
            page_path="/" if on_home else f"/p{n}/",
            on_home=on_home,
            url=f"http://alpha.localhost/x{n}",
            kind="internal",
            status=404,
        )
    BrokenLink.objects.create(
        website=beta, page_path="/", on_home=True, url="http://b/", kind="internal"
    )
    [found] = run(builtin.BrokenLinks(), alpha)
    assert found.points == Decimal("1.3") and found.title == "4 个失效链接（首页 1 个）"


class LettersStandIn:
    """An indicator as another area registers one, without importing monitoring."""

    code = "letters.unanswered"
    label = "互动回应"
    settings = (("letters.veto_days", "留言超过多少天未答复即单项否决", 90),)

    def compute(self, site):
        return [
            {
                "severity": "veto",
                "title": f"1 件留言超过 {site.number('letters.veto_days')} 天未答复",
            },
            {"severity": "deduction", "title": "回复不及时", "points": "3", "fix": "答复"},
        ]


class Broken:
    code = "broken"
    label = "坏指标"
    settings = ()

    def compute(self, site):
        raise RuntimeError("boom")


def test_scorecard_sums_deductions_counts_vetoes_and_survives_a_broken_indicator(alpha, settings):
    settings.SCORECARD_INDICATORS = [
        *settings.SCORECARD_INDICATORS,
        f"{__name__}.LettersStandIn",
        f"{__name__}.Broken",
    ]
    fill_columns(alpha, ["gzdt"], TODAY)
    card = scorecards.compute_scorecard(alpha)
    findings = {(f.indicator, f.severity, f.points) for f in card.findings.all()}
    assert ("letters.unanswered", "veto", 0) in findings
    assert ("letters.unanswered", "deduction", 3) in findings
    # tzgg, zcwj, zcjd empty: 3 × 2 and a warning; no probes (a note); letters 3
    assert card.deductions == Decimal(9) and card.score == Decimal(91)
    assert card.veto_count == 1 and card.verdict == "单项否决"
    assert card.errors == {"broken": "RuntimeError: boom"}
    assert IndicatorSetting.objects.filter(key="letters.veto_days", value=90).exists()
    again = scorecards.compute_scorecard(alpha)  # recomputable: replaced, not added
    assert Scorecard.objects.filter(website=alpha).count() == 1
    assert again.findings.count() == card.findings.count()
