from django.apps import AppConfig


class OnestopConfig(AppConfig):
    """The one-stop hall (S2), online applications (S3, S4) and the S5 figures: every
    department's service items read from the library, applications opened as cases."""

    name = "federation.onestop"
    label = "onestop"
    verbose_name = "网上办事大厅"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # ready(): the app registry is loaded, models may be imported
        from federation.library import consumers

        from .apply import register
        from .entries import follow_item, follow_items

        register()  # the case kind of service applications (federation.casework)
        # the hall's narrow table (entries.py)
        consumers.register("hall", follow_item, batch=follow_items)
