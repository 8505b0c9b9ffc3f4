from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    name = "federation.syndication"
    label = "syndication"
    verbose_name = "信息共享与报送"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # ready(): the app registry is loaded, models may be imported
        from federation.library import consumers
        from sites.disclosure.emergency import emergency_released

        from .receivers import on_emergency_released, on_item_changed, on_items_changed

        consumers.register("syndication", on_item_changed, batch=on_items_changed)
        emergency_released.connect(on_emergency_released, dispatch_uid="syndication-emergency")
