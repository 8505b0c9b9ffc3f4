from django.apps import AppConfig


class PresentationConfig(AppConfig):
    """A site's public conventions and reading aids: footer marks, site map, robots.txt and
    sitemap.xml, feeds, 繁體 on the fly, the elder-friendly mode, depth and identity settings."""

    name = "sites.presentation"
    label = "presentation"
    verbose_name = "展示与无障碍"
    default_auto_field = "django.db.models.BigAutoField"
