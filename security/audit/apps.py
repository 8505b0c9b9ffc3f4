from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "security.audit"
    label = "audit"
    verbose_name = "审计日志"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401  (connects the event recorders; ready(): models may be imported)
