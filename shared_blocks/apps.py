from django.apps import AppConfig


class SharedBlocksConfig(AppConfig):
    name = "shared_blocks"
    verbose_name = "共享内容块"
