"""保密审查 cannot be bypassed (I3, I4): the one rule, checked where a page goes live.

The rule. A version of a disclosure item that needs confidentiality review goes live only if
a 保密审查 approval is recorded for *that version* (an approved Wagtail TaskState of a task
assigned to the 保密审查员 group, on that revision). The approval is tied to the revision:
content changed after the review, a revert to an old version, a copy — each is a new revision
nobody reviewed, so it goes back to review.

Which versions need it. Every version graded 敏感; and, once an item has been graded 敏感
(any earlier version, or what is stored or live), every later version too — lowering the grade
does not let a version out: only a 保密审查 approval of a version graded 一般 releases the item
(declassifying is the confidentiality reviewer's call, not the editor's). Until then the item
is routed to the sensitive workflow (DisclosureItem.get_workflow), whatever its grade says.

Where it is enforced. One choke point every path passes through: a `pre_save` check on the page
row (any Page subclass instance of a disclosure item) when it turns live or its live revision
changes — the publish button, bulk publish, scheduled go-live, a workflow's end, reverting,
copying with "publish", a script calling revision.publish() or saving the row live. Publishing
also checks up front (DisclosureItem.publish), so a go-live date in the future is refused when
it is set, not at the sweep; the admin hooks (wagtail_hooks) turn a refusal into a message
before anything is half done.
"""

import logging

from django.core.exceptions import PermissionDenied

log = logging.getLogger(__name__)

SENSITIVE = "sensitive"
CONFIDENTIALITY_GROUP = "保密审查员"

MESSAGE = (
    "“{title}”须经保密审查：本版本没有保密审查员的批准记录，不能发布。"
    "请提交审核，按“审核、保密审查、领导审批”流程通过后自动发布"
    "（内容在保密审查后修改过、恢复旧版本、复制的页面，都须重新审查）。"
)
DOWNGRADE = "降低信息分级不能免除保密审查：此信息曾定为“敏感”，改为“一般”须经保密审查员批准。"


class ConfidentialityReviewRequired(PermissionDenied):
    def __init__(self, message, page_id=None):
        super().__init__(message)
        self.message = message
        self.page_id = page_id

    def __str__(self):
        return self.message


def approved_revision_ids(page_id) -> set[int]:
    """Revisions of the page a 保密审查 task approved, by a confidentiality reviewer."""
    from wagtail.models import TaskState

    return set(
        TaskState.objects.filter(
            status=TaskState.STATUS_APPROVED,
            revision__object_id=str(page_id),
            task__groupapprovaltask__groups__name=CONFIDENTIALITY_GROUP,
            # by a member of 保密审查员: Wagtail lets a superuser act on any task, which is
            # not a confidentiality review
            finished_by__groups__name=CONFIDENTIALITY_GROUP,
        ).values_list("revision_id", flat=True)
    )


def _revisions(page_id):
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page, Revision

    return Revision.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Page), object_id=str(page_id)
    )


def _stored(page_id):
    """(grade, live_revision_id) of the row as stored, or None for a new page."""
    from .models import DisclosureItem

    if page_id is None:
        return None
    return (
        DisclosureItem.objects.filter(pk=page_id).values_list("grade", "live_revision_id").first()
    )


def requires_review(page_id, grade, before_revision_id=None) -> bool:
    """Does a version of this item graded `grade` (saved after `before_revision_id`, or
    after every existing revision) need a 保密审查 approval?"""
    if grade == SENSITIVE:
        return True
    if page_id is None:
        return False
    revisions = _revisions(page_id)
    if before_revision_id is not None:
        revisions = revisions.filter(id__lt=before_revision_id)
    last_sensitive = (
        revisions.filter(content__grade=SENSITIVE).order_by("-id").values_list("id", flat=True)
    ).first()
    stored = _stored(page_id)
    if stored and stored[0] == SENSITIVE:
        last_sensitive = max(last_sensitive or 0, stored[1] or 0)
    if last_sensitive is None:
        return False
    # Released when the confidentiality reviewer approved a version graded 一般 since.
    releases = approved_revision_ids(page_id)
    released = (
        revisions.filter(id__gt=last_sensitive, id__in=releases)
        .exclude(content__grade=SENSITIVE)
        .exists()
    )
    return not released


def refusal(page_id, title, grade, revision_id) -> str | None:
    """Why this version may not go live, or None. `revision_id` is the revision that goes live
    (None or another page's revision: content no revision of this item carries)."""
    own = revision_id is not None and _revisions(page_id).filter(id=revision_id).exists()
    if not requires_review(page_id, grade, revision_id if own else None):
        return None
    if own and revision_id in approved_revision_ids(page_id):
        return None
    return MESSAGE.format(title=title)


def check_row_going_live(instance) -> None:
    """The choke point (pre_save of any Page): a disclosure item's row turning live, or
    changing its live revision, needs the rule above. Raises ConfidentialityReviewRequired."""
    from .models import DisclosureItem

    if not instance.live:
        return
    model = instance.specific_class or type(instance)
    if model is None or not issubclass(model, DisclosureItem):
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
    grade = getattr(instance, "grade", None)
    if grade is None:  # a plain Page instance of an item: the grade the revision carries
        revision = instance.live_revision
        grade = (revision.content or {}).get("grade") if revision else None
        if grade is None:
            grade = (_stored(instance.pk) or (SENSITIVE,))[0]
    reason = refusal(instance.pk, instance.title, grade, instance.live_revision_id)
    if reason:
        log.warning("refused to publish %s (%s) without 保密审查", instance.pk, instance.title)
        raise ConfidentialityReviewRequired(reason, instance.pk)
