from django.apps import AppConfig


class SyndicatedConfig(AppConfig):
    name = "sites.syndicated"
    label = "syndicated"
    verbose_name = "转载信息"
    default_auto_field = "django.db.models.BigAutoField"
