from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "tenants.incidents"
    label = "incidents"
    verbose_name = "网站安全事件"
    default_auto_field = "django.db.models.BigAutoField"
