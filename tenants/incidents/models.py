"""A security incident of one site (网站安全事件) and the steps the emergency plan takes with it.

An incident is opened by an alert (monitoring's defacement or outage detection, through
MONITORING_ALERT_RECEIVERS) or by an operator. It goes through the plan's steps in order —
reported (报告), acknowledged (确认), handled (处置), closed (结案) — each with its time and
who took it, and each recorded in the audit trail. The responsible people (谁主管谁负责、谁运行
谁负责, Z3) are copied from the registry when it is reported: the record keeps who answered for
the site at the time, whatever the registry says later.
"""

from django.db import models
from django.utils import timezone


class SecurityIncident(models.Model):
    class Kind(models.TextChoices):
        DEFACEMENT = "defacement", "网页篡改"
        OUTAGE = "outage", "网站无法访问"
        OTHER = "other", "其他安全事件"

    # 国家网络安全事件应急预案: four levels, I the gravest.
    class Level(models.TextChoices):
        I = "I", "特别重大（Ⅰ级）"  # noqa: E741 - the plan's own numbering
        II = "II", "重大（Ⅱ级）"
        III = "III", "较大（Ⅲ级）"
        IV = "IV", "一般（Ⅳ级）"

    class Status(models.TextChoices):
        REPORTED = "reported", "已报告，待确认"
        ACKNOWLEDGED = "acknowledged", "已确认，处置中"
        HANDLED = "handled", "已处置，待结案"
        CLOSED = "closed", "已结案"

    website = models.ForeignKey(
        "tenants.Website",
        on_delete=models.PROTECT,  # an incident is a record the plan keeps; the site is archived
        related_name="incidents",
        verbose_name="网站",
    )
    kind = models.CharField("事件类型", max_length=12, choices=Kind.choices)
    level = models.CharField("事件级别", max_length=3, choices=Level.choices)
    title = models.CharField("事件", max_length=200)
    observed = models.TextField("发现的情况", blank=True)
    source = models.CharField("来源", max_length=40, default="manual")
    # The alert's own reference ("monitoring.defacement:12"): one alert opens one incident.
    reference = models.CharField("告警编号", max_length=120, blank=True)
    # Where the evidence is, in the site's admin (the monitoring card, a page).
    evidence_path = models.CharField("证据位置", max_length=300, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.REPORTED
    )

    # Responsible people at the time of the report (copied from the registry).
    responsible_leader = models.CharField("主管领导", max_length=50, blank=True)
    responsible_leader_phone = models.CharField("主管领导电话", max_length=40, blank=True)
    operator_unit = models.CharField("承办单位", max_length=100, blank=True)
    operator_contact = models.CharField("承办单位负责人", max_length=50, blank=True)
    operator_contact_phone = models.CharField("承办单位负责人电话", max_length=40, blank=True)
    notified = models.JSONField("已通知", default=list, blank=True)

    # The plan's steps.
    reported_at = models.DateTimeField("报告时间", default=timezone.now)
    reported_by = models.CharField("报告人", max_length=150)
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    acknowledged_by = models.CharField("确认人", max_length=150, blank=True)
    handled_at = models.DateTimeField("处置时间", null=True, blank=True)
    handled_by = models.CharField("处置人", max_length=150, blank=True)
    measures = models.TextField("处置措施", blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    closed_by = models.CharField("结案人", max_length=150, blank=True)
    conclusion = models.TextField("结案结论", blank=True)

    class Meta:
        verbose_name = "网站安全事件"
        verbose_name_plural = "网站安全事件"
        ordering = ["-reported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                condition=~models.Q(reference=""),
                name="incidents_one_per_alert",
            )
        ]
        indexes = [models.Index(fields=["website", "status"], name="incidents_site_status")]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """事件编号, e.g. AQ20261206-0012 (the day reported, the row)."""
        return f"AQ{timezone.localtime(self.reported_at):%Y%m%d}-{self.pk or 0:04d}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    def steps(self) -> list[tuple[str, object, str, str]]:
        """(step, when, who, what) in the plan's order; `when` is None for a step not yet taken."""
        return [
            ("报告", self.reported_at, self.reported_by, self.observed),
            ("确认", self.acknowledged_at, self.acknowledged_by, ""),
            ("处置", self.handled_at, self.handled_by, self.measures),
            ("结案", self.closed_at, self.closed_by, self.conclusion),
        ]
