"""What every kind of public submission shares: moderation status and who may act."""

from django.db import models

SUBMISSION_PAGE_PARENTS = ["core.ColumnPage"]


class Moderation(models.TextChoices):
    HELD = "held", "待审理"
    APPROVED = "approved", "已公开"
    REJECTED = "rejected", "不予公开"
