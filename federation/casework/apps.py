from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "federation.casework"
    label = "casework"
    verbose_name = "办件"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # ready(): the app registry is loaded, models may be imported
        from tenants.signals import site_frozen_changed, site_status_changed

        from .receivers import on_site_frozen_changed, on_site_status_changed

        site_status_changed.connect(on_site_status_changed, dispatch_uid="casework-site-status")
        site_frozen_changed.connect(on_site_frozen_changed, dispatch_uid="casework-site-frozen")
