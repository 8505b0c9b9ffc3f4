"""Login lockout (ASVS 2.2.1) on django-axes: too many failures lock the account, and the
client address, each on its own.

Per account: AXES_FAILURE_LIMIT (5) failures from any address; per address: as many over every
account (AXES_LOCKOUT_PARAMETERS = username, ip_address: two independent counts) — an office
behind one NAT address shares it, which is why webmasters can unlock an address as well as an
account. Failures count while they keep coming less than AXES_COOLOFF_TIME (15 min) apart,
and a lock lasts that long after the last one.

axes records the failures (its signal handler on `user_login_failed`, in AccessAttempt rows)
and refuses a locked sign-in in its backend. This module is what the rest of the code asks:
the lock and its message (the sign-in forms check it before the password), second-factor
failures counted the same way, the unlock pages' list, unlocking. Its tables are in every
schema (axes is a shared and a tenant app): a lock on one site is nothing on another.
"""

import datetime
from dataclasses import dataclass

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone

from .twofactor import is_console

SCOPES = {"account": "username", "ip": "ip_address"}


def normalised_username(request, credentials) -> str:
    """AXES_USERNAME_CALLABLE: one count for Clerk and clerk; NUL (which PostgreSQL text cannot
    hold, and usernames never contain) dropped."""
    return _clean((credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD))


def _clean(username) -> str:
    return str(username or "").replace("\x00", "").lower()[:150]


def lockout_response(request, original_response, credentials=None):
    """AXES_LOCKOUT_CALLABLE: our sign-in and second-factor pages already say why, in place."""
    return original_response


@dataclass
class Lock:
    scope: str  # "account" or "ip"
    until: datetime.datetime

    @property
    def minutes_left(self) -> int:
        return max(1, int((self.until - timezone.now()).total_seconds() // 60) + 1)

    @property
    def message(self) -> str:
        who = "该账户" if self.scope == "account" else "您所在网络地址"
        # The console's accounts are unlocked by its operators, a site's by its webmaster.
        helper = "平台运维人员" if is_console() else "本网站的网站管理员"
        return (
            f"登录失败次数过多，{who}已被暂时锁定，请在 {self.minutes_left} 分钟后再试，"
            f"或联系{helper}解锁。"
            f" (Too many failed sign-ins: locked for {self.minutes_left} more minute(s).)"
        )


def _recent():
    # What axes counts: attempts whose last failure is within the cool-off time.
    return AccessAttempt.objects.filter(
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
    )


def _counted(scope: str, value) -> tuple[int, datetime.datetime | None]:
    if not value or SCOPES[scope] not in _parameters():
        return 0, None
    totals = (
        _recent()
        .filter(**{SCOPES[scope]: value})
        .aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    )
    return totals["failures"] or 0, totals["last"]


def _parameters() -> set[str]:
    return {
        p
        for group in settings.AXES_LOCKOUT_PARAMETERS
        for p in ([group] if isinstance(group, str) else group)
    }


def _lock(scope: str, value) -> Lock | None:
    failures, last = _counted(scope, value)
    if failures < settings.AXES_FAILURE_LIMIT:
        return None
    return Lock(scope, last + settings.AXES_COOLOFF_TIME)


def current_lock(username: str | None, ip: str | None) -> Lock | None:
    return _lock("account", _clean(username)) or _lock("ip", ip)


def locks_just_made(username: str | None, ip: str | None) -> list[Lock]:
    """The locks the failure just recorded brought about (its count reached the limit)."""
    made = []
    for scope, value in (("account", _clean(username)), ("ip", ip)):
        if _counted(scope, value)[0] == settings.AXES_FAILURE_LIMIT:
            made.append(_lock(scope, value))
    return made


def register_failure(username: str, ip: str | None, request=None) -> Lock | None:
    """Count a failure that did not go through a sign-in form (a wrong second factor), the way
    axes counts a wrong password; returns the lock if this failure just caused one."""
    if request is None:
        request = HttpRequest()
        request.META["REMOTE_ADDR"] = ip or ""
    user_login_failed.send(
        sender=__name__, credentials={"username": _clean(username)}, request=request
    )
    made = locks_just_made(username, ip)
    return made[0] if made else None


def clear_account(username: str) -> int:
    return AxesProxyHandler.reset_attempts(username=_clean(username))


def clear_ip(ip: str) -> int:
    return AxesProxyHandler.reset_attempts(ip_address=ip)


def clear_on_success(username: str) -> None:
    """A successful sign-in forgets that account's failures (not its address's: an attacker
    with one good account must not reset the count of the address they guess from)."""
    clear_account(username)


def locked_accounts():
    """Accounts and addresses locked now: [(scope, value, failures, until)]."""
    rows = []
    recent = _recent()
    for scope, field in SCOPES.items():
        # order_by(): the model's ordering would make DISTINCT keep one row per attempt.
        for value in sorted(
            filter(None, recent.order_by().values_list(field, flat=True).distinct())
        ):
            lock = _lock(scope, value)
            if lock:
                rows.append((scope, value, _counted(scope, value)[0], lock.until))
    return rows


class LockoutBackend(AxesStandaloneBackend):
    """axes' backend: refuses to authenticate a locked account or address, whatever calls
    `authenticate()`. Without a request (Django's test client `login()`, a shell) there is no
    address to count by: it steps aside rather than failing the call, as before axes."""

    def authenticate(self, request, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
