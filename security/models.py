"""Sign-in security records. This app (like django-otp's) is in SHARED_APPS and TENANT_APPS
alike: each site's accounts (tenant schema) and the console's accounts (public schema) have
their own tables."""

import base64

from django.conf import settings
from django.db import models
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import sealing


class SealedTOTPDevice(TOTPDevice):
    """django-otp's TOTP authenticator (RFC 6238) with its key sealed at rest.

    django-otp stores `key` as hex in clear (django-otp#67). This proxy keeps the sealed form
    (sealing.py) in the same column and opens it only where django-otp reads the key
    (`bin_key`), so django-otp's own verification does the work: tolerance, drift, replay
    protection (`last_t`) and throttling. Always load devices through this model
    (security.twofactor does): `django_otp.devices_for_user()` skips proxies and yields the
    plain TOTPDevice, which cannot read a sealed key and fails closed.
    """

    class Meta:
        proxy = True
        verbose_name = "认证器"
        verbose_name_plural = "认证器"

    @property
    def bin_key(self) -> bytes:
        return sealing.unseal(self.key)

    @property
    def secret(self) -> str:
        """The key as an authenticator app takes it (base32), for enrolment only."""
        return base64.b32encode(self.bin_key).decode("ascii")

    def save(self, *args, **kwargs):
        # A device made without a key gets django-otp's random hex default: seal that too,
        # so no code path can store a key in clear.
        if not sealing.is_sealed(self.key):
            self.key = sealing.seal(bytes.fromhex(self.key))
        super().save(*args, **kwargs)


class RecoveryCodes(StaticDevice):
    """A user's single-use recovery codes: django-otp's static device, storing a keyed digest
    of each code (sealing.recovery_digest) instead of the code (otp_static keeps them in clear).
    django-otp consumes the matching token and throttles guesses."""

    class Meta:
        proxy = True
        verbose_name = "恢复码"
        verbose_name_plural = "恢复码"

    def verify_token(self, token):
        digests = sealing.recovery_digests(token)
        found = self.token_set.filter(token__in=digests).values_list("token", flat=True).first()
        return super().verify_token(found or digests[0])


class RequestCounter(models.Model):
    """A rate-limit counter shared by every web process (security/counters.py): requests of
    one client address in one window, in this schema."""

    key = models.CharField(max_length=250, primary_key=True)
    count = models.BigIntegerField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "请求计数"
        verbose_name_plural = "请求计数"

    def __str__(self):
        return f"{self.key}: {self.count}"


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


class VendorGrant(models.Model):
    """An outsourced operator's contract (O3): the sections (columns) its account may work in,
    and until when. The account gets add/change page rights on those subtrees only (a group of
    its own, kept in step by security.vendors), cannot sign in after the contract ends, and
    the webmaster is warned before (dashboard). Its actions: the audit trail's 外包运维 filter."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="外包运维账户",
        on_delete=models.CASCADE,
        related_name="vendor_grant",
    )
    company = models.CharField("外包单位", max_length=100)
    contract_number = models.CharField("合同编号", max_length=60, blank=True)
    contract_end = models.DateField(
        "合同截止日期", help_text="此日期之后账户不能登录；到期前网站管理员会在首页看到提醒。"
    )
    sections = models.ManyToManyField(
        "wagtailcore.Page",
        verbose_name="授权栏目",
        related_name="+",
        limit_choices_to={"depth__in": [3, 4]},
        help_text="只能在这些栏目（及其下级页面）中新建和修改内容。",
        # This app's tables exist in the public schema too, which has no Wagtail pages: no
        # database constraint (Django still removes the rows with a deleted page).
        db_constraint=False,
    )

    class Meta:
        verbose_name = "外包运维授权"
        verbose_name_plural = "外包运维授权"
        ordering = ["contract_end"]

    def __str__(self):
        return f"{self.company}：{self.user.get_username()}（至 {self.contract_end:%Y-%m-%d}）"
