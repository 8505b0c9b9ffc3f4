"""Sign-in security records. This app is in SHARED_APPS and TENANT_APPS alike: each site's
accounts (tenant schema) and the console's accounts (public schema) have their own tables."""

from django.conf import settings
from django.db import models

from . import sealing


class TwoFactorDevice(models.Model):
    """A user's TOTP authenticator (RFC 6238), confirmed once a first code matched. Its secret
    is stored sealed (sealing.py): read and set it through `secret`."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="two_factor_device", verbose_name="用户")
    sealed_secret = models.CharField("密钥（加密存储）", max_length=255)
    confirmed_at = models.DateTimeField("启用时间", null=True, blank=True)
    # The last time step accepted: a code is never accepted twice (RFC 6238 §5.2).
    last_used_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "两步验证设备"
        verbose_name_plural = "两步验证设备"

    def __str__(self):
        return f"TOTP · {self.user}"

    @property
    def secret(self) -> str:
        return sealing.unseal(self.sealed_secret)

    @secret.setter
    def secret(self, value: str) -> None:
        self.sealed_secret = sealing.seal(value)


class RecoveryCode(models.Model):
    """One-time codes for when the authenticator is lost; only their HMAC is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "恢复码"
        verbose_name_plural = "恢复码"

    def __str__(self):
        return f"恢复码 · {self.user_id} · {'已用' if self.used_at else '未用'}"


class LoginFailure(models.Model):
    """A failed sign-in (password or second factor): the lockout counts these."""

    username = models.CharField("用户名", max_length=150, db_index=True)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True, db_index=True)
    at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "登录失败"
        verbose_name_plural = "登录失败"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.username} {self.ip} {self.at:%Y-%m-%d %H:%M}"


class SiteSecurity(models.Model):
    """Holds the security permissions given to roles (no table of its own)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_audit_trail", "查看本站审计日志"),
            ("unlock_account", "解除账户锁定、重置两步验证"),
        ]

    def __str__(self):
        return "网站安全"
