from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    name = "pagecache"
    label = "pagecache"
    verbose_name = "页面缓存"

    def ready(self):
        from . import signals  # ready(): the app registry is loaded, models may be imported

        signals.connect()
