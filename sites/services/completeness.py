"""An incomplete guide cannot be published (S1): the one rule, checked where a page goes live.

The rule. A service item goes live only when its guide names the item (名称), its legal basis
(设定依据), its conditions (受理条件) and at least one material (申请材料). A refusal lists
everything missing, so the editor fixes it in one go.

Where it is enforced. As 保密审查 is (sites.disclosure.confidentiality): one choke point every
path passes through, a `pre_save` check on the page row when it turns live or its live revision
changes — the publish button, bulk publish, scheduled go-live, a workflow's end, revert, copy
with "publish", move of a draft into place and publish, a script. `ServiceItemPage.publish`
asks first so a scheduled go-live is dropped with a log line instead of stopping the sweep;
the admin hooks (wagtail_hooks) turn a refusal into a message before anything is half done.
"""

import logging

from django.core.exceptions import PermissionDenied

log = logging.getLogger(__name__)

REQUIRED = [
    ("title", "事项名称"),
    ("legal_basis", "设定依据"),
    ("conditions", "受理条件"),
    ("materials", "申请材料（至少一项）"),
]


class IncompleteGuide(PermissionDenied):
    def __init__(self, title, missing, page_id=None):
        self.missing = list(missing)
        self.page_id = page_id
        self.message = message(title, self.missing)
        super().__init__(self.message)

    def __str__(self):
        return self.message


def message(title, missing) -> str:
    return (
        f"“{title or '未命名事项'}”的办事指南不完整，不能发布：缺少"
        + "、".join(missing)
        + "。请补全后再发布（草稿已保存）。"
    )


def missing_in_content(content: dict) -> list[str]:
    """What a revision's content (or any mapping of the fields) lacks, as labels."""
    missing = []
    for field, label in REQUIRED:
        value = content.get(field)
        if field == "materials":
            ok = any(str((m or {}).get("name") or "").strip() for m in (value or []))
        else:
            ok = bool(str(value or "").strip())
        if not ok:
            missing.append(label)
    return missing


def missing_in_page(page) -> list[str]:
    """What a ServiceItemPage instance (its in-memory materials included) lacks."""
    return missing_in_content(
        {
            "title": page.title,
            "legal_basis": page.legal_basis,
            "conditions": page.conditions,
            "materials": [{"name": m.name} for m in page.materials.all()],
        }
    )


def check_row_going_live(instance) -> None:
    """The choke point (pre_save of any Page): a service item's row turning live, or changing
    its live revision, must carry a complete guide. Raises IncompleteGuide."""
    from .models import ServiceItemPage

    if not instance.live:
        return
    model = instance.specific_class or type(instance)
    if model is None or not issubclass(model, ServiceItemPage):
        return
    before = None
    if instance.pk is not None:
        before = (
            type(instance)
            .objects.filter(pk=instance.pk)
            .values_list("live", "live_revision_id")
            .first()
        )
    if before is not None and before[0] and before[1] == instance.live_revision_id:
        return  # not going live: a live item saved again (a move, a draft, a lock)
    if isinstance(instance, ServiceItemPage):
        missing = missing_in_page(instance)
    else:  # a plain Page instance of an item: what its live revision (or stored row) says
        revision = instance.live_revision
        if revision is not None:
            missing = missing_in_content(revision.content or {})
        else:
            missing = missing_in_page(ServiceItemPage.objects.get(pk=instance.pk))
    if missing and instance._state.adding:
        # A new row saved live (Wagtail's create-and-publish saves the page before its publish
        # hooks run; a copy kept live): it is kept as a draft, and the publish is refused.
        log.warning("new service item %s kept as a draft: missing %s", instance.title, missing)
        instance.live = False
        return
    if missing:
        log.warning("refused to publish service item %s: missing %s", instance.pk, missing)
        raise IncompleteGuide(instance.title, missing, instance.pk)
