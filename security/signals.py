from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from security.audit.context import client_ip
from security.audit.services import record

from . import lockout


@receiver(user_login_failed, dispatch_uid="security_count_failure")
def _count_failure(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))
    ip = client_ip(request) if request is not None else None
    lock = lockout.register_failure(username, ip)
    if lock:
        record("auth.lockout", actor=username[:150], object_type="auth.user", object_repr=username,
               request=request, changes={"scope": lock.scope, "until": lock.until.isoformat()})


@receiver(user_logged_in, dispatch_uid="security_clear_failures")
def _clear_failures(sender, request, user, **kwargs):
    lockout.clear_on_success(user.get_username())
