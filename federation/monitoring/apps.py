from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "federation.monitoring"
    label = "monitoring"
    verbose_name = "监测与绩效评估"
    default_auto_field = "django.db.models.BigAutoField"
