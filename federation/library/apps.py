from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "federation.library"
    label = "library"
    verbose_name = "资源库"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the page and site signal handlers; ready(): models may be imported)
