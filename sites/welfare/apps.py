from django.apps import AppConfig


class WelfareConfig(AppConfig):
    """Public-welfare channels (W1–W3): agricultural information from scheduled feeds, theme
    channels, investment and trade notices."""

    name = "sites.welfare"
    label = "welfare"
    verbose_name = "惠民服务"
    default_auto_field = "django.db.models.BigAutoField"
