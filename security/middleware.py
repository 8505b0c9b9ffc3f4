"""Request-level security: idle timeout, two-factor gate, read-only mode, rate limits, headers
(CSP through django-csp, Permissions-Policy).

Each guards "admin paths": /admin/… on a site, everything on the console host.
"""

import re
import time

from csp.middleware import CSPMiddleware
from csp.utils import default_config
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django_ratelimit.core import is_ratelimited

from security.audit.context import client_ip
from security.audit.services import record

from . import csp, twofactor

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
SESSION_LAST_SEEN = "security_last_seen"
# Refresh the idle clock at most once a minute: no session write on every request.
LAST_SEEN_RESOLUTION = 60


def is_console_request() -> bool:
    return connection.schema_name == "public"


def is_admin_path(path: str) -> bool:
    return is_console_request() or path.startswith("/admin/")


def _sign_in_paths():
    if is_console_request():
        return ("/login/", "/logout/", "/2fa/", "/static/")
    return ("/admin/login/", "/admin/logout/", "/admin/2fa/", "/admin/password_reset/")


def _is_sign_in_path(path: str) -> bool:
    return path.startswith(_sign_in_paths())


def _reverse(request, name):
    # Middleware runs before Django switches to the request's URLconf (the console's is
    # django-tenants' PUBLIC_SCHEMA_URLCONF), so name it explicitly.
    return reverse(name, urlconf=getattr(request, "urlconf", None))


def _login_url(request):
    return _reverse(request, "console:login" if is_console_request() else "wagtailadmin_login")


class IdleTimeoutMiddleware:
    """Admin and console sessions end after ADMIN_IDLE_TIMEOUT (30 min) without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and is_admin_path(request.path):
            from . import vendors

            grant = None if is_console_request() else vendors.ended_contract(user)
            if grant is not None:
                record("auth.logout", obj=user, user=user, changes={"reason": "contract_ended"})
                logout(request)
                messages.warning(request, vendors.ended_message(grant))
                return redirect(_login_url(request))
            now = time.time()
            last_seen = request.session.get(SESSION_LAST_SEEN)
            if last_seen is not None and now - last_seen > settings.ADMIN_IDLE_TIMEOUT:
                record(
                    "auth.idle_timeout",
                    obj=user,
                    user=user,
                    changes={"idle_minutes": int((now - last_seen) // 60)},
                )
                logout(request)
                messages.warning(
                    request, "您已超过 30 分钟未操作，为安全起见已自动退出，请重新登录。"
                )
                return redirect(
                    f"{_login_url(request)}?{urlencode({'next': request.get_full_path()})}"
                )
            if last_seen is None or now - last_seen > LAST_SEEN_RESOLUTION:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


class TwoFactorMiddleware:
    """After the password, users who need a second factor go nowhere else until they give it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and is_admin_path(request.path)
            and not _is_sign_in_path(request.path)
            and not twofactor.is_verified(request)
            and twofactor.must_verify(user)
        ):
            target = (
                "security:2fa_verify" if twofactor.confirmed_device(user) else "security:2fa_setup"
            )
            return redirect(
                f"{_reverse(request, target)}?{urlencode({'next': request.get_full_path()})}"
            )
        return self.get_response(request)


class ReadOnlyModeMiddleware:
    """A frozen site (freeze_site) serves its pages but refuses every write (Z1)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        website = getattr(request, "tenant", None)
        if website is not None and getattr(website, "frozen_at", None):
            if request.method not in SAFE_METHODS and not _is_sign_in_path(request.path):
                response = render(
                    request, "security/read_only.html", {"website": website}, status=503
                )
                response["Retry-After"] = "3600"
                return response
            if (
                request.path.startswith("/admin/")
                and request.method == "GET"
                and request.headers.get("x-requested-with") != "XMLHttpRequest"
                and getattr(request, "user", None) is not None
                and request.user.is_authenticated
            ):
                messages.warning(
                    request,
                    "本网站已被平台应急冻结（只读）：可以查看，任何修改都会被拒绝。",
                    fail_silently=True,
                )
        return self.get_response(request)


SEARCH_PATH = re.compile(r"^/(search|sousuo)(/|$)")


def rate_bucket(request) -> str | None:
    path = request.path
    if request.method == "POST" and path in ("/admin/login/", "/login/", "/admin/2fa/", "/2fa/"):
        return "login"
    if is_admin_path(path) or path.startswith(("/static/", "/media/")):
        return None
    if request.method == "POST":
        return "form"
    if SEARCH_PATH.match(path) or "q" in request.GET:
        return "search"
    if path.startswith("/api/"):
        return "api"
    return None


def _client_address(group, request) -> str:
    return client_ip(request) or "unknown"


class RateLimitMiddleware:
    """Per-address request budgets on sign-in, public search and public forms (RATE_LIMITS:
    requests per period), counted by django-ratelimit.

    The counters are in the RATELIMIT_USE_CACHE cache, which every web process shares (Redis,
    or security/counters.py on PostgreSQL); its key function carries the schema and the group
    names it again, so each site has its own budgets.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bucket = rate_bucket(request)
        if bucket and bucket in settings.RATE_LIMITS:
            limit, period = settings.RATE_LIMITS[bucket]
            if is_ratelimited(
                request,
                group=f"{connection.schema_name}:{bucket}",
                key=_client_address,
                rate=(limit, period),
                increment=True,
            ):
                if request.path.startswith("/api/"):  # an API client reads JSON, not a page
                    response = JsonResponse(
                        {
                            "error": f"{'检索' if bucket == 'search' else '请求'}过于频繁，"
                            f"请 {period} 秒后再试。",
                            "retry_after": period,
                        },
                        status=429,
                        json_dumps_params={"ensure_ascii": False},
                    )
                else:
                    response = render(
                        request, "security/rate_limited.html", {"period": period}, status=429
                    )
                response["Retry-After"] = str(period)
                return response
        return self.get_response(request)


class LoginThrottleMiddleware:
    """A sign-in refused because its account is slowed down (security.lockout.Throttle): the
    form says so in place; the answer is a 429 with Retry-After, as for other rate limits."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        retry_after = getattr(request, "login_retry_after", None)
        if retry_after:
            response.status_code = 429
            response["Retry-After"] = str(retry_after)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the policy of the area (security/csp.py): a site's Wagtail
    admin gets ADMIN_CONTENT_SECURITY_POLICY, public pages and the console
    CONTENT_SECURITY_POLICY. A view's own @csp_update/@csp_replace still applies on top."""

    def process_request(self, request):
        super().process_request(request)
        request._csp_binding = csp.bind(request)

    def process_response(self, request, response):
        response = super().process_response(request, response)
        binding = getattr(request, "_csp_binding", None)
        if binding is not None:
            csp.release(binding)
            request._csp_binding = None
        return response

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and is_site_admin_path(request.path):
            parts.config = default_config(settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"])
        return parts


def is_site_admin_path(path: str) -> bool:
    return path.startswith("/admin/") and not is_console_request()


class PermissionsPolicyMiddleware:
    """Permissions-Policy on every answer (Django has no setting for it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
