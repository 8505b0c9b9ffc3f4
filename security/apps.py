from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "security"
    label = "security"
    verbose_name = "安全"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import csp, signals  # noqa: F401  (the lockout counters; ready(): models may be imported)

        csp.nonce_for_chooser_scripts()
        from . import redirects

        redirects.install()
        from . import vendors

        vendors.connect()
