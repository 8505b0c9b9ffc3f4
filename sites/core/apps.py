from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sites.core"
    label = "core"
    verbose_name = "网站内容"
