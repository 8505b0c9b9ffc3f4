"""Cases (办件): applications, letters, 找错 reports, 依申请公开 requests — all in the public
schema, because a case crosses sites by nature (parallel approval, routing).

- `Case`        one application or letter: its number (受理编号), the hash of its query code,
                the applicant's data and what they asked, its public status and dates
- `CaseTask`    one addressed site's part: lead, parallel or routed (转办), its own status,
                deadline and handler; a site's admin lists only the tasks addressed to it
- `CaseStep`    the history: who, which site, when, what, a note, public or internal
- `CaseAttachment` a file of the case, kept in private storage (storage.py), never under
                MEDIA_URL; served only by views that check number + code or the handler's site

Users live in the site schemas, so "who" is recorded as text (username and site), not a FK.
Personal data (applicant, content) never leaves these rows: not in logs, the library, the
search index or the page cache; __str__ gives the number only.
"""

from django.db import models
from django.utils import timezone

from tenants.models import Website


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    SUPPLEMENT = "supplement", "待补正"
    ACCEPTED = "accepted", "已受理"
    IN_PROGRESS = "in_progress", "办理中"
    REFUSED = "refused", "不予受理"
    COMPLETED = "completed", "已办结"


class TaskStatus(models.TextChoices):
    PENDING = "pending", "待受理"
    SUPPLEMENT = "supplement", "待补正"
    ACCEPTED = "accepted", "已受理"
    IN_PROGRESS = "in_progress", "办理中"
    ANSWERED = "answered", "已办理"
    REFUSED = "refused", "不予办理"
    ROUTED = "routed", "已转办"
    RETURNED = "returned", "已退回"
    CLOSED = "closed", "已终止"


OPEN_TASK_STATUSES = (
    TaskStatus.PENDING,
    TaskStatus.SUPPLEMENT,
    TaskStatus.ACCEPTED,
    TaskStatus.IN_PROGRESS,
)
OPEN_CASE_STATUSES = (
    CaseStatus.SUBMITTED,
    CaseStatus.SUPPLEMENT,
    CaseStatus.ACCEPTED,
    CaseStatus.IN_PROGRESS,
)


class Case(models.Model):
    number = models.CharField("受理编号", max_length=32, unique=True)
    kind = models.CharField("类别", max_length=30, db_index=True)
    query_code_hash = models.CharField(max_length=64)
    lead_site = models.ForeignKey(
        Website, on_delete=models.PROTECT, related_name="+", verbose_name="牵头网站"
    )
    title = models.CharField("标题", max_length=200)
    # What the case is about (a service item, a page): its library key, title and address.
    subject_key = models.CharField("事项键", max_length=120, blank=True, db_index=True)
    subject_title = models.CharField("事项", max_length=255, blank=True)
    subject_url = models.CharField("事项地址", max_length=500, blank=True)
    # Personal data: shown to the handlers of the case and the applicant only.
    applicant = models.JSONField("申请人", default=dict, blank=True)
    content = models.JSONField("内容", default=dict, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED
    )
    publish_allowed = models.BooleanField("同意公开", default=False)
    deadline_working_days = models.PositiveSmallIntegerField("办理时限（工作日）", default=0)
    opened_at = models.DateTimeField("提交时间", db_index=True)
    deadline = models.DateField("办结期限", null=True, blank=True)
    # The deadline crossed a year the working-day calendar did not know (weekends only).
    deadline_assumed = models.BooleanField("期限按周末规则推算", default=False)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    result_note = models.TextField("办理结果", blank=True)
    client_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    retention_until = models.DateField("保存期限", null=True, blank=True, db_index=True)
    erased_at = models.DateTimeField("个人信息删除时间", null=True, blank=True)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-opened_at"]

    def __str__(self):
        return self.number

    def __repr__(self):
        return f"<Case {self.number}>"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CASE_STATUSES


class CaseTask(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "牵头"
        PARALLEL = "parallel", "并联"
        ROUTED = "routed", "转办"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    site = models.ForeignKey(
        Website, on_delete=models.PROTECT, related_name="case_tasks", verbose_name="办理网站"
    )
    role = models.CharField("角色", max_length=10, choices=Role.choices)
    status = models.CharField(
        "状态", max_length=20, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    # Where a supplement request or a routing left the task, to go back there.
    status_before = models.CharField(max_length=20, blank=True)
    routed_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="routed_to"
    )
    deadline = models.DateField("期限", null=True, blank=True, db_index=True)
    deadline_assumed = models.BooleanField(default=False)
    extended = models.BooleanField("已延期", default=False)
    extension_reason = models.CharField("延期理由", max_length=300, blank=True)
    handler = models.CharField("经办人", max_length=150, blank=True)
    handler_email = models.EmailField(blank=True)
    answered_at = models.DateTimeField("办理完成时间", null=True, blank=True)
    # The site was suspended or frozen while the task was open: it waits (nothing is lost).
    waiting_since = models.DateTimeField("暂停办理时间", null=True, blank=True)
    # Deadline mail (services.mail_deadlines): each sent once per deadline.
    warned_before_for = models.DateField(null=True, blank=True)
    warned_after_for = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "办件任务"
        verbose_name_plural = "办件任务"
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["site", "status", "deadline"], name="casework_task_site_idx"),
        ]

    def __str__(self):
        return f"{self.case.number} · {self.site.short_name}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES

    def is_overdue_on(self, day=None) -> bool:
        day = day or timezone.localdate()
        return self.is_open and self.deadline is not None and self.deadline < day


class CaseStep(models.Model):
    class Actor(models.TextChoices):
        APPLICANT = "applicant", "申请人"
        HANDLER = "handler", "经办人"
        SYSTEM = "system", "系统"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    task = models.ForeignKey(
        CaseTask, on_delete=models.CASCADE, null=True, blank=True, related_name="steps"
    )
    site = models.ForeignKey(
        Website, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_kind = models.CharField(max_length=10, choices=Actor.choices)
    actor = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=30)
    note = models.TextField("说明", blank=True)
    public = models.BooleanField("对申请人公开", default=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "办理步骤"
        verbose_name_plural = "办理步骤"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.case.number} {self.action}"


class CaseAttachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    step = models.ForeignKey(
        CaseStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    # The site that uploaded it (None: the applicant).
    site = models.ForeignKey(
        Website, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    label = models.CharField("材料名称", max_length=200, blank=True)
    name = models.CharField("文件名", max_length=200)
    path = models.CharField(max_length=300)  # relative to CASEWORK_FILES_ROOT
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    is_result = models.BooleanField("办理结果文书", default=False)
    # Internal files (a department's working papers) are never shown to the applicant.
    public = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "办件附件"
        verbose_name_plural = "办件附件"
        ordering = ["pk"]

    def __str__(self):
        return self.name


class CaseNumberCounter(models.Model):
    """The last number given per prefix and day (one UPDATE … RETURNING per case)."""

    prefix = models.CharField(max_length=10)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "day"], name="casework_counter_unique")
        ]

    def __str__(self):
        return f"{self.prefix}{self.day:%Y%m%d}: {self.last}"
