from django.apps import AppConfig


class GlossaryConfig(AppConfig):
    name = "tenants.glossary"
    label = "glossary"
    verbose_name = "专有名词保护词典"
    default_auto_field = "django.db.models.BigAutoField"
