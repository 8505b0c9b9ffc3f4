"""The audit trail (Z3): one append-only table in the public schema, one hash chain per site.

Why one public table rather than a table in each site's schema: the people who can change a
site's schema (its webmaster's code paths, a restore, a dropped site) are exactly the ones
the trail must outlive; a public table survives a site being archived, dropped or restored,
the console's security auditors read every site without cross-schema SQL, and retention is
enforced in one place. Each site still has its own chain (`schema_name`), so a site's trail
verifies on its own and one site's activity never serialises another's.
"""

from django.db import models


class AuditImmutableError(Exception):
    """Audit records are append-only: they cannot be changed or deleted through the ORM."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutableError("审计记录不可修改 (audit records cannot be updated).")

    def delete(self):
        raise AuditImmutableError("审计记录不可删除 (audit records cannot be deleted).")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditImmutableError("审计记录不可修改 (audit records cannot be updated).")

    def update_or_create(self, *args, **kwargs):
        raise AuditImmutableError("审计记录不可修改 (audit records cannot be updated).")

    def bulk_create(self, *args, **kwargs):
        # Every row must be chained by audit.services (record, or its batched() block).
        raise AuditImmutableError("审计记录只能由 audit.services.record 写入。")

    def _append_chained(self, events):
        """audit.services only: insert rows it has chained itself, in one statement."""
        return super().bulk_create(events)


class AuditEvent(models.Model):
    class Realm(models.TextChoices):
        SITE = "site", "网站后台"
        CONSOLE = "console", "平台控制台"
        SYSTEM = "system", "系统"

    schema_name = models.CharField(
        "网站（模式名）", max_length=63, db_index=True, help_text="public = the platform console"
    )
    seq = models.PositiveBigIntegerField("序号")
    created_at = models.DateTimeField("时间", db_index=True)
    event_type = models.CharField("事件", max_length=64, db_index=True)
    site_name = models.CharField("网站名称", max_length=100, blank=True)
    realm = models.CharField("来源", max_length=10, choices=Realm.choices)
    actor = models.CharField("操作人", max_length=150, blank=True, db_index=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    user_agent = models.CharField("客户端", max_length=300, blank=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=255, blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    message = models.CharField("说明", max_length=500, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["schema_name", "seq"], name="audit_chain_seq_unique"),
        ]
        indexes = [models.Index(fields=["schema_name", "-created_at"], name="audit_site_time_idx")]

    def __str__(self):
        return (
            f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.schema_name} {self.event_type} {self.actor}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None or not self.hash:
            raise AuditImmutableError("审计记录只能由 audit.services.record 追加，不能修改。")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutableError("审计记录不可删除 (audit records cannot be deleted).")
