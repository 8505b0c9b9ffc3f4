from django.core.exceptions import ValidationError
from django.db import models


def validate_term(value: str) -> None:
    if not value.strip():
        raise ValidationError("请填写要保护的名词")
    if any(ch in value for ch in '\x1e\x1f<>"&'):
        raise ValidationError('名词中不能含有 < > " & 或控制字符')


class ProtectedTerm(models.Model):
    """A proper noun that keeps its registered (Simplified) form on 繁體 pages, platform-wide:
    an enterprise's registered name, a person's name written with a simplified character, a
    place name an ordinance spells so."""

    term = models.CharField("名词", max_length=60, unique=True, validators=[validate_term])
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("添加时间", auto_now_add=True)
    created_by = models.CharField("添加人", max_length=150, blank=True)

    class Meta:
        verbose_name = "受保护的专有名词"
        verbose_name_plural = "受保护的专有名词"
        ordering = ["term"]

    def __str__(self):
        return self.term
