from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    """Government information publishing (I1–I5): documents, the catalogue, the review flow."""

    name = "sites.disclosure"
    label = "disclosure"
    verbose_name = "政府信息公开"

    def ready(self):
        from django.db.models.signals import pre_save

        pre_save.connect(
            _confidentiality_guard, dispatch_uid="disclosure.confidentiality_guard", weak=False
        )
        pre_save.connect(_decision_guard, dispatch_uid="disclosure.decision_guard", weak=False)


def _confidentiality_guard(sender, instance, raw=False, **kwargs):
    """保密审查 cannot be bypassed: the choke point on every page row turning live."""
    from wagtail.models import Page

    if raw or not isinstance(instance, Page):
        return
    from .confidentiality import check_row_going_live

    check_row_going_live(instance)


def _decision_guard(sender, instance, raw=False, **kwargs):
    """One decision per review step, by someone the step admits (decisions.py)."""
    from wagtail.models import TaskState

    if raw or not isinstance(instance, TaskState):
        return
    from .decisions import check_decision

    check_decision(instance)
