from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from wagtail.admin.forms.auth import LoginForm
from wagtail.documents.forms import BaseDocumentForm

from security.audit.context import client_ip
from security.audit.services import record

from . import lockout


class LockoutMixin:
    """Refuses sign-in while the account is locked from this address or the address is, or
    while an account attacked from many addresses is slowed down; says so plainly."""

    def record_refusal(self, username: str, message: str) -> None:
        """A sign-in refused before (or instead of) the password check, in the audit trail."""
        record(
            "auth.login_failed",
            actor=username,
            object_type="auth.user",
            object_repr=username,
            request=self.request,
            message=message,
        )

    def clean(self):
        username = (self.data.get("username") or "")[:150]
        ip = client_ip(self.request) if self.request is not None else None
        lock = lockout.current_lock(username, ip)
        if lock:
            self.record_refusal(username, "账户或地址已锁定，未验证密码")
            raise ValidationError(lock.message, code="locked")
        throttle = lockout.current_throttle(username, ip)
        if throttle:
            self.record_refusal(username, "账户登录失败过多，已限速，未验证密码")
            if self.request is not None:
                # security.middleware.LoginThrottleMiddleware answers 429 with Retry-After.
                self.request.login_retry_after = throttle.seconds
            raise ValidationError(throttle.message, code="throttled")
        try:
            return super().clean()
        except ValidationError:
            lock = lockout.current_lock(username, ip)
            if lock:  # this failure was the one that locked it
                raise ValidationError(lock.message, code="locked") from None
            raise


class LockoutLoginForm(LockoutMixin, LoginForm):
    """The Wagtail admin's sign-in form (WAGTAILADMIN_USER_LOGIN_FORM)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = "密码"  # Wagtail's field has none: "Password"

    def clean(self):
        cleaned = super().clean()
        from . import vendors

        user = self.get_user()
        grant = vendors.ended_contract(user) if user is not None else None
        if grant is not None:
            self.record_refusal(user.get_username(), "外包运维合同已到期")
            raise ValidationError(vendors.ended_message(grant), code="contract_ended")
        return cleaned


class ConsoleLoginForm(LockoutMixin, AuthenticationForm):
    """The platform console's sign-in form."""


class TokenForm(forms.Form):
    code = forms.CharField(
        label="验证码",
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text="认证器应用显示的 6 位数字，或一个恢复码",
    )


class LimitedDocumentForm(BaseDocumentForm):
    """Documents: the extension list of WAGTAILDOCS_EXTENSIONS plus a size limit."""

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        limit = getattr(settings, "WAGTAILDOCS_MAX_UPLOAD_SIZE", None)
        if upload and limit and getattr(upload, "size", 0) > limit:
            raise ValidationError(
                f"文件过大（{filesizeformat(upload.size)}），上限为 {filesizeformat(limit)}。"
            )
        return upload
