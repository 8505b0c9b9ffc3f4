from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "federation.search"
    label = "federation_search"
    verbose_name = "跨站检索"
    default_auto_field = "django.db.models.BigAutoField"

