from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    name = "federation.syndication"
    label = "syndication"
    verbose_name = "信息共享与报送"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers, tasks  # noqa: F401  (follows library_item_changed; beat tasks registered)
