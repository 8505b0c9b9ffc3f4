from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from security.audit.services import record

from . import lockout


@receiver(user_locked_out, dispatch_uid="security_audit_lockout")
def _audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    """axes says a sign-in is locked out; the trail records each lock once, when it starts."""
    for lock in lockout.locks_just_made(username, ip_address):
        record(
            "auth.lockout",
            actor=(username or "")[:150],
            object_type="auth.user",
            object_repr=username or "",
            request=request,
            changes={"scope": lock.scope, "until": lock.until.isoformat()},
        )


@receiver(user_logged_in, dispatch_uid="security_clear_failures")
def _clear_failures(sender, request, user, **kwargs):
    lockout.clear_on_success(user.get_username())
