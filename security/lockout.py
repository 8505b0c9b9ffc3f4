"""Login lockout (ASVS 2.2.1): too many failures lock the account, and the client address.

Per account: LOGIN_LOCKOUT_FAILURES (5) failures within LOGIN_LOCKOUT_WINDOW (15 min), from
any address. Per address: LOGIN_LOCKOUT_IP_FAILURES (default also 5, counted over every
account) — an office behind one NAT address shares it, which is why webmasters can unlock
an address as well as an account. Records are per schema: a lock on one site is nothing on
another.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from .models import LoginFailure
from .twofactor import is_console


def _window_start():
    return timezone.now() - datetime.timedelta(seconds=settings.LOGIN_LOCKOUT_WINDOW)


def _ip_threshold():
    return getattr(settings, "LOGIN_LOCKOUT_IP_FAILURES", settings.LOGIN_LOCKOUT_FAILURES)


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
        return (f"登录失败次数过多，{who}已被暂时锁定，请在 {self.minutes_left} 分钟后再试，"
                f"或联系{helper}解锁。"
                f" (Too many failed sign-ins: locked for {self.minutes_left} more minute(s).)")


def _lock_from(failures, threshold, scope):
    times = list(failures.filter(at__gte=_window_start()).order_by("-at")
                 .values_list("at", flat=True)[:threshold])
    if len(times) < threshold:
        return None
    # Locked until the oldest of the last `threshold` failures leaves the window.
    return Lock(scope, times[-1] + datetime.timedelta(seconds=settings.LOGIN_LOCKOUT_WINDOW))


def _clean(username) -> str:
    # NUL cannot be stored or compared in PostgreSQL text; usernames never contain it.
    return str(username or "").replace("\x00", "")[:150]


def current_lock(username: str | None, ip: str | None) -> Lock | None:
    username = _clean(username)
    if username:
        lock = _lock_from(LoginFailure.objects.filter(username__iexact=username),
                          settings.LOGIN_LOCKOUT_FAILURES, "account")
        if lock:
            return lock
    if ip:
        return _lock_from(LoginFailure.objects.filter(ip=ip), _ip_threshold(), "ip")
    return None


def register_failure(username: str, ip: str | None) -> Lock | None:
    """Count a failure; returns the lock if this failure just caused one."""
    username = _clean(username)
    before = current_lock(username, ip)
    LoginFailure.objects.create(username=username, ip=ip, at=timezone.now())
    # Failures older than a day count for nothing (the audit trail keeps the history).
    LoginFailure.objects.filter(at__lt=timezone.now() - datetime.timedelta(days=1)).delete()
    after = current_lock(username, ip)
    return after if after and not before else None


def clear_account(username: str) -> int:
    return LoginFailure.objects.filter(username__iexact=_clean(username)).delete()[0]


def clear_ip(ip: str) -> int:
    return LoginFailure.objects.filter(ip=ip).delete()[0]


def clear_on_success(username: str) -> None:
    LoginFailure.objects.filter(username__iexact=username).delete()


def locked_accounts():
    """Accounts and addresses locked now: [(scope, value, failures, until)]."""
    start = _window_start()
    rows = []
    recent = LoginFailure.objects.filter(at__gte=start)
    # order_by(): the model's ordering (-at) would make DISTINCT keep one row per failure.
    for username in recent.order_by().values_list("username", flat=True).distinct():
        lock = current_lock(username, None)
        if lock:
            rows.append(("account", username, recent.filter(username__iexact=username).count(), lock.until))
    for ip in recent.exclude(ip=None).order_by().values_list("ip", flat=True).distinct():
        lock = _lock_from(LoginFailure.objects.filter(ip=ip), _ip_threshold(), "ip")
        if lock:
            rows.append(("ip", ip, recent.filter(ip=ip).count(), lock.until))
    return rows
