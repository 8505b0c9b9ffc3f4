"""Login lockout (ASVS 2.2.1) on django-axes, shaped so that nobody can lock someone else out.

Locks (AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]):
- an account from one address: AXES_FAILURE_LIMIT (5) failures lock that account *from that
  address* only — its owner, elsewhere, still signs in;
- an address: as many failures over every account lock the address (an office behind one NAT
  address shares it, which is why webmasters can unlock an address as well as an account).
Failures count while they keep coming less than AXES_COOLOFF_TIME (15 min) apart, and a lock
lasts that long after the last one.

An account attacked from many addresses is not locked (that would be the attacker's weapon)
but slowed down: once its failures from all addresses reach the limit, each further sign-in
to it must wait a delay that doubles with every failure (THROTTLE_FIRST_DELAY, at most the
cool-off time), answered "请稍后再试" with Retry-After before the password is checked. Its
owner's usual addresses — where the account signed in successfully (auth.login in the audit
trail) within USUAL_ADDRESS_DAYS — are not slowed down, and the owner still needs the second
factor.

axes records the failures (its signal handler on `user_login_failed`, in AccessAttempt rows)
and refuses a locked sign-in in its backend. This module is what the rest of the code asks:
the lock, the throttle and their messages (the sign-in forms check them before the password),
second-factor failures counted the same way, the unlock pages' list, unlocking. Its tables are
in every schema (axes is a shared and a tenant app): a lock on one site is nothing on another.
"""

import datetime
import math
from dataclasses import dataclass

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import connection
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone

from .audit.models import AuditEvent
from .twofactor import is_console

# A lock's scope: which of the attempt's values it is counted by.
SCOPES = {
    "account": ("username",),  # only if AXES_LOCKOUT_PARAMETERS names the account alone
    "account_ip": ("username", "ip_address"),
    "ip": ("ip_address",),
}
THROTTLE_FIRST_DELAY = datetime.timedelta(seconds=30)
USUAL_ADDRESS_DAYS = 90


def normalised_username(request, credentials) -> str:
    """AXES_USERNAME_CALLABLE: one count for Clerk and clerk; NUL (which PostgreSQL text cannot
    hold, and usernames never contain) dropped."""
    return _clean((credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD))


def _clean(username) -> str:
    return str(username or "").replace("\x00", "").lower()[:150]


def lockout_response(request, original_response, credentials=None):
    """AXES_LOCKOUT_CALLABLE: our sign-in and second-factor pages already say why, in place."""
    return original_response


def _helper() -> str:
    # The console's accounts are unlocked by its operators, a site's by its webmaster.
    return "平台运维人员" if is_console() else "本网站的网站管理员"


@dataclass
class Lock:
    scope: str  # a key of SCOPES
    until: datetime.datetime

    @property
    def minutes_left(self) -> int:
        return max(1, int((self.until - timezone.now()).total_seconds() // 60) + 1)

    @property
    def message(self) -> str:
        who = {
            "account": "该账户",
            "account_ip": "该账户在您所在网络地址的登录",
            "ip": "您所在网络地址",
        }[self.scope]
        return (
            f"登录失败次数过多，{who}已被暂时锁定，请在 {self.minutes_left} 分钟后再试，"
            f"或联系{_helper()}解锁。"
            f" (Too many failed sign-ins: locked for {self.minutes_left} more minute(s).)"
        )


@dataclass
class Throttle:
    """An account slowed down: the next sign-in to it is checked in `seconds`."""

    seconds: int

    @property
    def message(self) -> str:
        return (
            f"该账户近期登录失败次数较多，为防止密码被猜测已限制登录频率，"
            f"请稍后再试（{self.seconds} 秒后）。如非本人操作，请联系{_helper()}。"
            f" (Too many failed sign-ins on this account: try again in {self.seconds} s.)"
        )


def _recent():
    # What axes counts: attempts whose last failure is within the cool-off time.
    return AccessAttempt.objects.filter(
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
    )


def _groups() -> list[tuple[str, ...]]:
    """AXES_LOCKOUT_PARAMETERS as tuples: "ip_address" → ("ip_address",)."""
    return [
        (group,) if isinstance(group, str) else tuple(group)
        for group in settings.AXES_LOCKOUT_PARAMETERS
    ]


def _active_scopes() -> list[str]:
    groups = {frozenset(g) for g in _groups()}
    return [scope for scope, fields in SCOPES.items() if frozenset(fields) in groups]


def _values(username, ip) -> dict:
    return {"username": _clean(username), "ip_address": ip}


def _counted(filters: dict) -> tuple[int, datetime.datetime | None]:
    if not all(filters.values()):
        return 0, None
    totals = (
        _recent()
        .filter(**filters)
        .aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    )
    return totals["failures"] or 0, totals["last"]


def _lock(scope: str, values: dict) -> Lock | None:
    failures, last = _counted({field: values[field] for field in SCOPES[scope]})
    if failures < settings.AXES_FAILURE_LIMIT:
        return None
    return Lock(scope, last + settings.AXES_COOLOFF_TIME)


def current_lock(username: str | None, ip: str | None) -> Lock | None:
    values = _values(username, ip)
    for scope in _active_scopes():
        lock = _lock(scope, values)
        if lock:
            return lock
    return None


def locks_just_made(username: str | None, ip: str | None) -> list[Lock]:
    """The locks the failure just recorded brought about (its count reached the limit)."""
    values = _values(username, ip)
    made = []
    for scope in _active_scopes():
        filters = {field: values[field] for field in SCOPES[scope]}
        if _counted(filters)[0] == settings.AXES_FAILURE_LIMIT:
            made.append(_lock(scope, values))
    return made


def throttle_delay(failures: int) -> datetime.timedelta:
    """How long after its last failure an account with `failures` is next checked."""
    doublings = min(failures - settings.AXES_FAILURE_LIMIT, 16)
    return min(THROTTLE_FIRST_DELAY * 2**doublings, settings.AXES_COOLOFF_TIME)


def is_usual_address(username: str, ip: str | None) -> bool:
    """Has this account signed in successfully from this address lately (the audit trail)?"""
    if not ip:
        return False
    return AuditEvent.objects.filter(
        schema_name=connection.schema_name,
        event_type="auth.login",
        actor__iexact=username,  # the trail keeps the name as typed; failures count it lower-cased
        ip=ip,
        created_at__gte=timezone.now() - datetime.timedelta(days=USUAL_ADDRESS_DAYS),
    ).exists()


def current_throttle(username: str | None, ip: str | None) -> Throttle | None:
    """The slow-down of an account attacked from many addresses, for a sign-in from `ip`."""
    username = _clean(username)
    if not username or "account" in _active_scopes():
        return None  # the account lock alone is configured: it does the work
    failures, last = _counted({"username": username})
    if failures < settings.AXES_FAILURE_LIMIT:
        return None
    wait = (last + throttle_delay(failures) - timezone.now()).total_seconds()
    if wait <= 0 or is_usual_address(username, ip):
        return None
    return Throttle(math.ceil(wait))


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
    """Accounts (locked from some address, or slowed down) and addresses locked now:
    [(scope, value, failures, until)], scope "account" or "ip" — what the unlock forms lift."""
    rows = []
    recent = _recent().order_by()  # the model's ordering would make DISTINCT keep every row
    for username in sorted(filter(None, recent.values_list("username", flat=True).distinct())):
        failures, last = _counted({"username": username})
        locked = any(
            _lock(scope, {"username": username, "ip_address": ip})
            for scope in ("account", "account_ip")
            if scope in _active_scopes()
            for ip in recent.filter(username=username).values_list("ip_address", flat=True)
        )
        if locked or failures >= settings.AXES_FAILURE_LIMIT:
            rows.append(("account", username, failures, last + settings.AXES_COOLOFF_TIME))
    if "ip" in _active_scopes():
        for ip in sorted(filter(None, recent.values_list("ip_address", flat=True).distinct())):
            lock = _lock("ip", {"ip_address": ip})
            if lock:
                rows.append(("ip", ip, _counted({"ip_address": ip})[0], lock.until))
    return rows


class LockoutBackend(AxesStandaloneBackend):
    """axes' backend: refuses to authenticate a locked account or address, whatever calls
    `authenticate()`. Without a request (Django's test client `login()`, a shell) there is no
    address to count by: it steps aside rather than failing the call, as before axes."""

    def authenticate(self, request, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)
