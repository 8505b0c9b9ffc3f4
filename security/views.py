import segno
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from . import accounts, lockout, twofactor
from .audit import listing
from .audit import services as audit
from .audit.context import client_ip
from .forms import TokenForm


def _home_url():
    return reverse("console:site_list") if twofactor.is_console() else reverse("wagtailadmin_home")


def _login_url():
    return reverse("console:login") if twofactor.is_console() else reverse("wagtailadmin_login")


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return _home_url()


def _issuer(request):
    tenant = getattr(request, "tenant", None)
    name = getattr(tenant, "short_name", "") or "集约"
    return f"{name}" if not twofactor.is_console() else "集约平台控制台"


def _render(request, template, context, status=200):
    context = {"is_console": twofactor.is_console(), "next": _next_url(request), **context}
    return render(request, template, context, status=status)


@never_cache
def two_factor_verify(request):
    user = request.user
    if not user.is_authenticated:
        return redirect(_login_url())
    if twofactor.confirmed_device(user) is None:
        return redirect(f"{reverse('security:2fa_setup')}?next={_next_url(request)}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        lock = lockout.current_lock(user.get_username(), ip)
        result = (
            twofactor.Verification() if lock else twofactor.verify(user, form.cleaned_data["code"])
        )
        if result:
            twofactor.sign_in(request, result.device)
            left = twofactor.remaining_recovery_codes(user)
            audit.record(
                "auth.2fa_recovery_used" if result.kind == "recovery" else "auth.2fa_verified",
                obj=user,
                changes={"recovery_codes_left": left} if result.kind == "recovery" else {},
            )
            if result.kind == "recovery":
                messages.warning(
                    request, f"已使用一个恢复码，还剩 {left} 个。请尽快重新绑定认证器。"
                )
            return redirect(_next_url(request))
        if result.retry_after:
            # django-otp's throttle after a wrong code: this one was not checked at all.
            form.add_error(
                "code",
                f"尝试过于频繁，请 {result.retry_after} 秒后再输入验证码。"
                f" (Too many tries: wait {result.retry_after} s.)",
            )
            return _render(request, "security/two_factor_verify.html", {"form": form})
        audit.record("auth.2fa_failed", obj=user)
        lock = (
            lock
            or lockout.register_failure(user.get_username(), ip, request)
            or lockout.current_lock(user.get_username(), ip)
        )
        if lock:
            # Guessing second factors counts toward the same lockout as guessing passwords.
            logout(request)
            messages.error(request, lock.message)
            return redirect(_login_url())
        form.add_error("code", "验证码不正确或已使用过，请输入认证器上当前显示的 6 位数字。")
    return _render(request, "security/two_factor_verify.html", {"form": form})


@never_cache
def two_factor_setup(request):
    user = request.user
    if not user.is_authenticated:
        return redirect(_login_url())
    current = twofactor.confirmed_device(user)
    # Re-binding an authenticator needs a verified session: a stolen password alone must
    # not be enough to replace the owner's authenticator.
    if current is not None and not twofactor.is_verified(request):
        return redirect(f"{reverse('security:2fa_verify')}?next={request.path}")
    device = twofactor.pending_device(
        user, fresh=request.method == "GET" and bool(request.GET.get("new"))
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolled = twofactor.enrol(user, form.cleaned_data["code"])
        if enrolled:
            device, codes = enrolled
            twofactor.sign_in(request, device)
            audit.record("auth.2fa_enrolled", obj=user)
            return _render(request, "security/two_factor_codes.html", {"codes": codes})
        form.add_error(
            "code", "验证码不正确：请确认手机时间准确，并输入认证器当前显示的 6 位数字。"
        )
    secret = device.secret
    uri = twofactor.provisioning_uri(device, _issuer(request))
    return _render(
        request,
        "security/two_factor_setup.html",
        {
            "form": form,
            "secret": secret,
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "uri": uri,
            "qr_svg": _qr_svg(uri),
            "required": twofactor.required_for(user),
            "already": current is not None,
        },
    )


def _qr_svg(data: str) -> str:
    return segno.make(data, error="m").svg_inline(scale=5, dark="#000", light="#fff")


# --- the Wagtail admin: this site's audit trail (auditors) and locks (webmasters) ---------


def site_audit_trail(request):
    if not request.user.has_perm("security.view_audit_trail"):
        raise PermissionDenied
    schema = connection.schema_name
    events = listing.filtered_events(request.GET, schema)
    from . import vendors

    if request.GET.get("vendor"):  # 外包运维: every vendor account, or one grant's
        events = events.filter(actor__in=vendors.vendor_usernames(request.GET["vendor"]))
    if request.GET.get("format") == "csv":
        return listing.csv_response(request, events, f"audit-{schema}.csv", schema)
    context = listing.page_context(request, events)
    context["vendor_grants"] = vendors.VendorGrant.objects.select_related("user")
    return render(request, "security/admin_audit_trail.html", context)


def account_security(request):
    if not request.user.has_perm("security.unlock_account"):
        raise PermissionDenied
    if request.method == "POST":
        accounts.apply_account_action(request)
        return redirect("security_accounts")
    return render(request, "security/admin_accounts.html", accounts.account_security_context())
