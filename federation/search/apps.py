from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "federation.search"
    label = "federation_search"
    verbose_name = "跨站检索"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # ready(): the app registry is loaded, models may be imported
        from federation.library import consumers

        from .indexing import on_item_changed, on_items_changed

        consumers.register("search", on_item_changed, batch=on_items_changed)
