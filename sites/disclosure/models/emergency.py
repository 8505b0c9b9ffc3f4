"""The fast path of emergency information (突发事件信息, I5): one named approver, live at once.

An `EmergencyRelease` records who let an emergency item go live without the normal queue,
when, why, whether it asked for the city-wide banner, and the review that follows publication
(事后审核): who reviewed it, when, and what they found. Rows are per site (its schema).
"""

from django.db import models


class EmergencyRelease(models.Model):
    class Banner(models.TextChoices):
        NONE = "none", "不显示全市横幅"
        REQUESTED = "requested", "已申请全市横幅（待门户审批）"
        AUTOMATIC = "automatic", "已自动发布全市横幅"
        # The portal's decision on a request (federation.syndication.broadcasts tells us).
        APPROVED = "approved", "门户已发布全市横幅"
        DECLINED = "declined", "门户未采用全市横幅"

    page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="emergency_releases",
        verbose_name="信息",
    )
    title = models.CharField("标题", max_length=255)
    revision_id = models.BigIntegerField("发布的版本", null=True)
    approved_by = models.CharField("快速通道审批人", max_length=150)
    approved_at = models.DateTimeField("审批发布时间", auto_now_add=True)
    reason = models.CharField("紧急发布理由", max_length=300)
    banner = models.CharField(
        "全市横幅", max_length=10, choices=Banner.choices, default=Banner.NONE
    )
    reviewed_by = models.CharField("事后审核人", max_length=150, blank=True)
    reviewed_at = models.DateTimeField("事后审核时间", null=True, blank=True)
    review_note = models.CharField("事后审核意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "突发事件快速发布记录"
        verbose_name_plural = "突发事件快速发布记录"
        ordering = ["-approved_at"]

    def __str__(self):
        return f"{self.title}（{self.approved_by}）"

    @property
    def review_state(self) -> str:
        return "已完成事后审核" if self.reviewed_at else "待事后审核"
