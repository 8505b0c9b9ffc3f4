from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    """错敏词 screening: in SHARED_APPS and TENANT_APPS, so the same dictionary tables exist in
    the public schema (the platform's, edited by operators) and in each site's (its own)."""

    name = "security.screening"
    label = "screening"
    verbose_name = "错敏词检查"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_save

        from . import guard, services
        from .models import OfficialTitle, ScreeningTerm

        for model in (ScreeningTerm, OfficialTitle):
            post_save.connect(services.dictionary_changed, sender=model, weak=False)
            post_delete.connect(services.dictionary_changed, sender=model, weak=False)
        pre_save.connect(guard.pre_save_guard, dispatch_uid="screening.guard", weak=False)
