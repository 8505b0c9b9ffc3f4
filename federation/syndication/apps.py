from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    name = "federation.syndication"
    label = "syndication"
    verbose_name = "信息共享与报送"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # ready(): the app registry is loaded, models may be imported
        from federation.library import consumers

        from .receivers import on_item_changed

        consumers.register("syndication", on_item_changed)
