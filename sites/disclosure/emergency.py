"""The fast path of emergency information (突发事件信息, I5).

An emergency item does not wait in the ordinary review queue: one named approver (a leader in
the site's 领导审批 group, or its webmaster) confirms it with a reason, and it is live at once.
The release is recorded (`EmergencyRelease`) and audited; the review follows publication
(事后审核), by a reviewer other than the approver, and is recorded too.

On release the item can raise the city-wide banner: the levels the platform lists in
`EMERGENCY_BANNER_AUTO_LEVELS` raise it at once (posting a city-wide banner needs a session
that passed two-factor), any other level only asks the portal, which approves or declines.
This module sends `emergency_released`; the syndication layer above posts or asks for the
banner (this layer may not import it).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone

from security.audit.context import actor_name
from security.audit.services import record
from security.roles import REVIEWER, is_webmaster

from .models import EmergencyInformationPage, EmergencyRelease, ReviewRoute
from .workflows import LEADER

# The event levels (Ⅰ–Ⅳ) and the warning colours the public knows them by.
LEVEL_COLOURS = {
    EmergencyInformationPage.Level.EXTREME: "red",
    EmergencyInformationPage.Level.MAJOR: "orange",
    EmergencyInformationPage.Level.LARGE: "yellow",
    EmergencyInformationPage.Level.ORDINARY: "blue",
}
COLOUR_WORDS = {"red": "红色预警", "orange": "橙色预警", "yellow": "黄色预警", "blue": "蓝色预警"}

# Sent after the release committed: release, page, level (a colour), banner (Banner value),
# link (the item's public URL), user, schema (the releasing site's).
emergency_released = Signal()


def colour_of(page) -> str:
    return LEVEL_COLOURS.get(page.level, "blue")


def banner_is_automatic(page) -> bool:
    return colour_of(page) in getattr(settings, "EMERGENCY_BANNER_AUTO_LEVELS", ("red",))


def can_fast_release(user) -> bool:
    """The named approvers of the fast path: the site's leaders and its webmaster."""
    if not user.is_authenticated or not user.is_active:
        return False
    return is_webmaster(user) or user.groups.filter(name=LEADER).exists()


def can_post_review(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return is_webmaster(user) or user.groups.filter(name__in=[REVIEWER, LEADER]).exists()


def fast_release(page, user, reason, *, want_banner=False, verified=False) -> EmergencyRelease:
    """Publish the item's latest version now, by `user`, recorded. Raises ValidationError with
    a message for the user (and changes nothing) when it cannot."""
    page = page.specific
    if not isinstance(page, EmergencyInformationPage):
        raise ValidationError("只有“突发事件信息”可以走紧急发布快速通道。")
    if not can_fast_release(user):
        raise PermissionDenied("只有本站领导审批人员或网站管理员可以批准紧急发布。")
    if page.grade != ReviewRoute.Grade.GENERAL:
        # An item whose grade needs 保密审查 never goes live without it, fast path or not.
        raise ValidationError("敏感信息须经保密审查，不能走紧急发布快速通道。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写紧急发布理由。")
    automatic = banner_is_automatic(page)
    if automatic and not verified:
        raise ValidationError(
            f"{COLOUR_WORDS[colour_of(page)]}会自动在全市所有网站显示横幅："
            "发布全市横幅需要通过两步验证的登录，请先完成两步验证。"
        )
    if automatic:
        banner = EmergencyRelease.Banner.AUTOMATIC
    elif want_banner:
        banner = EmergencyRelease.Banner.REQUESTED
    else:
        banner = EmergencyRelease.Banner.NONE
    with transaction.atomic():
        state = page.current_workflow_state
        if state is not None:
            state.cancel(user=user)  # it leaves the ordinary queue: reviewed after publication
        revision = page.get_latest_revision() or page.save_revision(user=user)
        revision.publish(user=user, skip_permission_checks=True)
        release = EmergencyRelease.objects.create(
            page=page,
            title=page.title[:255],
            revision_id=revision.pk,
            approved_by=actor_name(user),
            reason=reason[:300],
            banner=banner,
        )
        record(
            "emergency.fast_release",
            obj=page,
            message=f"{COLOUR_WORDS[colour_of(page)]}，{release.get_banner_display()}；理由：{reason}",
            user=user,
        )
        page.refresh_from_db()
        link, schema = page.full_url or "", connection.schema_name

        def announce():
            emergency_released.send_robust(
                sender=EmergencyRelease,
                release=release,
                page=page,
                level=colour_of(page),
                banner=banner,
                link=link,
                user=user,
                schema=schema,
            )

        transaction.on_commit(announce)
    return release


def post_review(release, user, note) -> EmergencyRelease:
    """Record the review that follows a fast-path publication (by someone else)."""
    if not can_post_review(user):
        raise PermissionDenied("只有本站审核员、领导审批人员或网站管理员可以进行事后审核。")
    if release.reviewed_at:
        raise ValidationError("这条信息已完成事后审核。")
    if actor_name(user) == release.approved_by:
        raise ValidationError("事后审核须由批准发布以外的人员进行。")
    note = (note or "").strip()
    if not note:
        raise ValidationError("请填写事后审核意见。")
    release.reviewed_by, release.reviewed_at = actor_name(user), timezone.now()
    release.review_note = note[:500]
    release.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    record("emergency.post_review", obj=release.page, message=note, user=user)
    return release
