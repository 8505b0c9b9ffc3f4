"""Dictionaries (the same tables in the public schema and in every site's schema) and the
reviewers' overrides of findings (a site's schema)."""

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    SENSITIVE = "sensitive", "敏感词"
    MISTAKE = "mistake", "易错词"
    OFFICIAL_NAME = "official_name", "错误的名称或称谓"
    TITLE_MISMATCH = "title_mismatch", "职务与人名不符"


class Severity(models.TextChoices):
    SERIOUS = "serious", "严重（阻止发布）"
    WARNING = "warning", "提示"


DEFAULT_SEVERITY = {
    Kind.SENSITIVE: Severity.SERIOUS,
    Kind.OFFICIAL_NAME: Severity.SERIOUS,
    Kind.TITLE_MISMATCH: Severity.SERIOUS,
    Kind.MISTAKE: Severity.WARNING,
}


class ScreeningTerm(models.Model):
    """One entry: a sensitive word, a commonly mistaken word (with the right form), or a
    wrongly written name (a leader's name with a wrong character, an outdated institution
    name) with the right form."""

    kind = models.CharField("类别", max_length=20, choices=Kind.choices[:3])
    term = models.CharField("词语", max_length=100)
    suggestion = models.CharField(
        "正确写法",
        max_length=200,
        blank=True,
        help_text="易错词和错误名称必填：检查结果中给出的修改建议。",
    )
    severity = models.CharField(
        "严重程度",
        max_length=10,
        choices=Severity.choices,
        blank=True,
        help_text="留空：敏感词和错误名称为“严重”，易错词为“提示”。",
    )
    note = models.CharField("说明", max_length=200, blank=True)
    enabled = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "错敏词"
        verbose_name_plural = "错敏词词库"
        ordering = ["kind", "term"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "term"], name="screening_term_unique")
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.term}"

    def save(self, *args, **kwargs):
        if not self.severity and self.kind:
            self.severity = DEFAULT_SEVERITY[self.kind]
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        self.term = (self.term or "").strip()
        self.suggestion = (self.suggestion or "").strip()
        if not self.term:
            raise ValidationError({"term": "请填写词语。"})
        if self.kind in (Kind.MISTAKE, Kind.OFFICIAL_NAME) and not self.suggestion:
            raise ValidationError({"suggestion": "易错词和错误名称须填写正确写法。"})
        if self.suggestion and self.suggestion == self.term:
            raise ValidationError({"suggestion": "正确写法与词语相同，请检查。"})


class OfficialTitle(models.Model):
    """A person and a title they hold (one row per title): a title next to the person's name
    that is not theirs (“市长张三” for 副市长张三) is a finding."""

    person = models.CharField("姓名", max_length=50)
    title = models.CharField("职务", max_length=100)
    organisation = models.CharField("单位", max_length=100, blank=True)
    sort_order = models.IntegerField("排序", default=0)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "领导职务"
        verbose_name_plural = "领导姓名与职务对照"
        ordering = ["sort_order", "person", "title"]
        constraints = [
            models.UniqueConstraint(fields=["person", "title"], name="screening_title_unique")
        ]

    def __str__(self):
        return f"{self.person}（{self.title}）"


class DictionaryVersion(models.Model):
    """One row per schema: bumped on every change, so compiled matchers are cached per version."""

    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "词库版本"

    def __str__(self):
        return f"v{self.version}"


class ScreeningOverride(models.Model):
    """A reviewer's decision that a finding of one item is not an error, with the reason (also
    in the audit trail). Keyed by the finding's fingerprint (field, kind, words), so it holds
    for later versions of the item that still carry the same words."""

    page_id = models.IntegerField("页面", db_index=True)
    fingerprint = models.CharField(max_length=300)
    field = models.CharField("位置", max_length=100)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    text = models.CharField("原文", max_length=200)
    reason = models.TextField("理由")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("放行时间", auto_now_add=True)

    class Meta:
        verbose_name = "错敏词放行记录"
        constraints = [
            models.UniqueConstraint(
                fields=["page_id", "fingerprint"], name="screening_override_unique"
            )
        ]

    def __str__(self):
        return f"{self.field}：{self.text}"
