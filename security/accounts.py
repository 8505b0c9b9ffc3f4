"""Lifting lockouts and resetting authenticators: what a site's webmaster does in its admin and
the platform's operators do for console accounts, each in their own schema."""

from django.contrib import messages
from django.contrib.auth import get_user_model

from . import lockout, twofactor
from .audit import services as audit


def apply_account_action(request) -> None:
    """Unlock an account or an address, or reset a user's authenticator, in the current schema;
    recorded in its trail."""
    scope, value = request.POST.get("scope"), (request.POST.get("value") or "")[:150]
    if scope == "account" and value:
        lockout.clear_account(value)
        audit.record(
            "auth.unlock", object_type="auth.user", object_repr=value, changes={"account": value}
        )
        messages.success(request, f"已解除账户 {value} 的锁定。")
    elif scope == "ip" and value:
        lockout.clear_ip(value)
        audit.record("auth.unlock", object_repr=value, changes={"ip": value})
        messages.success(request, f"已解除地址 {value} 的锁定。")
    elif scope == "2fa" and value:
        target = get_user_model().objects.filter(username=value).first()
        if target is not None:
            twofactor.reset(target)
            audit.record("auth.2fa_reset", obj=target)
            messages.success(request, f"已重置 {value} 的两步验证：其下次登录时需重新绑定。")


def account_security_context() -> dict:
    return {"locks": lockout.locked_accounts(), "devices": twofactor.enrolled_devices()}
