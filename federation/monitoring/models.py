"""Monitoring results (T2, O4), all in the public schema, each row naming its site.

- `IndicatorSetting`  an evaluation threshold or deduction (national defaults, operator-edited)
- `Scorecard`         one site's score for one day; its `Finding` rows say what to fix
- `ProbeResult`       one request to one entry point of one site (status, time, fingerprint)
- `DefacementAlert`   a home page change that no publish, syndication or broadcast explains
- `LinkCheckRun`      one link check of one site; `BrokenLink` what it found broken, per page
- `VisitDay`          page views per site, path and day (no cookie, no address, no agent)
- `WarningNotice`     an early warning mailed once per site, indicator and day

A scorecard is recomputable: everything it is computed from is stored (the site's pages,
the probe results, the broken links), so `manage.py compute_scorecards --day …` redoes it.
"""

from decimal import Decimal

from django.db import models
from django.utils import timezone


class IndicatorSetting(models.Model):
    """One threshold or deduction of the evaluation, by key (e.g. "home.veto_days").
    Indicators declare their keys with the national default; rows are created on first use
    and an operator changes the value in the console."""

    key = models.CharField("键", max_length=80, unique=True)
    label = models.CharField("名称", max_length=200)
    indicator = models.CharField("指标", max_length=80, blank=True)
    value = models.DecimalField("取值", max_digits=10, decimal_places=2)
    default = models.DecimalField("国家默认值", max_digits=10, decimal_places=2)
    help_text = models.CharField("说明", max_length=300, blank=True)
    changed_by = models.CharField("修改人", max_length=150, blank=True)
    changed_at = models.DateTimeField("修改时间", null=True, blank=True)

    class Meta:
        verbose_name = "评估指标设置"
        verbose_name_plural = "评估指标设置"
        ordering = ["indicator", "key"]

    def __str__(self):
        return f"{self.label} = {self.value}"


class Scorecard(models.Model):
    website = models.ForeignKey(
        "tenants.Website", on_delete=models.CASCADE, related_name="scorecards", verbose_name="网站"
    )
    day = models.DateField("日期")
    score = models.DecimalField("得分", max_digits=5, decimal_places=1)
    deductions = models.DecimalField("扣分", max_digits=6, decimal_places=1, default=Decimal(0))
    veto_count = models.PositiveIntegerField("单项否决项", default=0)
    warning_count = models.PositiveIntegerField("预警", default=0)
    computed_at = models.DateTimeField("计算时间", default=timezone.now)
    # Indicators that could not be computed (an error), by code: the card says so.
    errors = models.JSONField("未能计算的指标", default=dict, blank=True)

    class Meta:
        verbose_name = "评分卡"
        verbose_name_plural = "评分卡"
        ordering = ["-day", "website"]
        constraints = [
            models.UniqueConstraint(fields=["website", "day"], name="monitoring_scorecard_day")
        ]

    def __str__(self):
        return f"{self.website.short_name} {self.day}: {self.score}"

    @property
    def passed(self) -> bool:
        return self.veto_count == 0

    @property
    def verdict(self) -> str:
        return "单项否决" if self.veto_count else "合格"


class Finding(models.Model):
    class Severity(models.TextChoices):
        VETO = "veto", "单项否决"
        DEDUCTION = "deduction", "扣分"
        WARNING = "warning", "预警"
        NOTE = "note", "提示"

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="findings")
    indicator = models.CharField("指标", max_length=80)
    indicator_label = models.CharField("指标名称", max_length=100)
    severity = models.CharField("性质", max_length=10, choices=Severity.choices)
    points = models.DecimalField("扣分", max_digits=6, decimal_places=1, default=Decimal(0))
    title = models.CharField("问题", max_length=300)
    detail = models.TextField("详情", blank=True)
    fix = models.CharField("整改建议", max_length=300, blank=True)
    # A path in the site's own admin (e.g. /admin/pages/12/): where the webmaster fixes it.
    admin_path = models.CharField("处理位置", max_length=300, blank=True)

    class Meta:
        verbose_name = "评估发现"
        verbose_name_plural = "评估发现"
        ordering = ["scorecard", "pk"]

    def __str__(self):
        return self.title


class ProbeResult(models.Model):
    website = models.ForeignKey(
        "tenants.Website", on_delete=models.CASCADE, related_name="probes", verbose_name="网站"
    )
    entry = models.CharField("入口", max_length=60)
    path = models.CharField("路径", max_length=200)
    started_at = models.DateTimeField("探测时间", default=timezone.now)
    status = models.PositiveSmallIntegerField("状态码", null=True, blank=True)
    elapsed_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)
    ok = models.BooleanField("可用", default=False)
    # An entry point the site does not have (404 on anything but the home page) is recorded
    # but counts neither for nor against availability.
    absent = models.BooleanField("无此入口", default=False)
    error = models.CharField("错误", max_length=300, blank=True)
    fingerprint = models.CharField("正文指纹", max_length=64, blank=True)

    class Meta:
        verbose_name = "可用性探测"
        verbose_name_plural = "可用性探测"
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["website", "-started_at"], name="monitoring_probe_site")]

    def __str__(self):
        return f"{self.website_id} {self.path} {self.status or self.error}"


class DefacementAlert(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "待核实"
        CONFIRMED = "confirmed", "确认篡改"
        DISMISSED = "dismissed", "正常变更"

    website = models.ForeignKey(
        "tenants.Website", on_delete=models.CASCADE, related_name="defacements", verbose_name="网站"
    )
    detected_at = models.DateTimeField("发现时间", default=timezone.now)
    path = models.CharField("页面", max_length=200, default="/")
    previous_fingerprint = models.CharField("原指纹", max_length=64)
    fingerprint = models.CharField("新指纹", max_length=64)
    excerpt = models.TextField("变更后正文摘录", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.CharField("处理人", max_length=150, blank=True)
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "疑似篡改告警"
        verbose_name_plural = "疑似篡改告警"
        ordering = ["-detected_at"]

    def __str__(self):
        return f"{self.website_id} {self.path} {self.detected_at:%Y-%m-%d %H:%M}"


class LinkCheckRun(models.Model):
    website = models.ForeignKey(
        "tenants.Website", on_delete=models.CASCADE, related_name="link_runs", verbose_name="网站"
    )
    started_at = models.DateTimeField("开始时间", default=timezone.now)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    pages = models.PositiveIntegerField("检查页面", default=0)
    links = models.PositiveIntegerField("检查链接", default=0)
    broken = models.PositiveIntegerField("失效链接", default=0)
    skipped = models.PositiveIntegerField("未检查的外部链接", default=0)

    class Meta:
        verbose_name = "链接检查"
        verbose_name_plural = "链接检查"
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.website_id} {self.started_at:%Y-%m-%d %H:%M}"


class BrokenLink(models.Model):
    class Kind(models.TextChoices):
        INTERNAL = "internal", "站内链接"
        ATTACHMENT = "attachment", "附件"
        PLATFORM = "platform", "平台内其他网站"
        OUTBOUND = "outbound", "外部链接"

    website = models.ForeignKey(
        "tenants.Website",
        on_delete=models.CASCADE,
        related_name="broken_links",
        verbose_name="网站",
    )
    page_id = models.PositiveIntegerField("页面 ID", null=True, blank=True)  # in the site's schema
    page_path = models.CharField("所在页面", max_length=500)
    page_title = models.CharField("页面标题", max_length=255, blank=True)
    on_home = models.BooleanField("在首页", default=False)
    url = models.CharField("链接", max_length=1000)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    status = models.PositiveSmallIntegerField("状态码", null=True, blank=True)
    error = models.CharField("错误", max_length=300, blank=True)
    first_seen = models.DateTimeField("首次发现", default=timezone.now)
    last_checked = models.DateTimeField("最近检查", default=timezone.now)

    class Meta:
        verbose_name = "失效链接"
        verbose_name_plural = "失效链接"
        ordering = ["page_path", "url"]
        constraints = [
            models.UniqueConstraint(
                fields=["website", "page_path", "url"], name="monitoring_broken_link_unique"
            )
        ]

    def __str__(self):
        return f"{self.page_path} → {self.url}"


class VisitDay(models.Model):
    website = models.ForeignKey(
        "tenants.Website", on_delete=models.CASCADE, related_name="visits", verbose_name="网站"
    )
    day = models.DateField("日期")
    path = models.CharField("页面", max_length=500)
    views = models.PositiveIntegerField("访问次数", default=0)

    class Meta:
        verbose_name = "访问量"
        verbose_name_plural = "访问量"
        constraints = [
            models.UniqueConstraint(fields=["website", "day", "path"], name="monitoring_visit_day")
        ]
        indexes = [models.Index(fields=["website", "day"], name="monitoring_visit_site_day")]

    def __str__(self):
        return f"{self.day} {self.path}: {self.views}"


class WarningNotice(models.Model):
    """An early warning mailed to a site's responsible people: once per indicator and day."""

    website = models.ForeignKey("tenants.Website", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    indicator = models.CharField(max_length=80)
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["website", "day", "indicator"], name="monitoring_warning_once"
            )
        ]

    def __str__(self):
        return f"{self.day} {self.indicator}"
