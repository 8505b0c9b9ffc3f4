from django.apps import AppConfig


class ReplicaConfig(AppConfig):
    name = "config.replica"
    label = "replica"
    verbose_name = "只读副本"
