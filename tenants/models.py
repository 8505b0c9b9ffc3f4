"""The site registry (P2): every government website on the platform is a `Website` tenant."""

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.postgresql_backend.base import _check_schema_name

from . import spares
from .cloning import clone_template
from .validators import (
    display_domain,
    normalise_domain,
    validate_police_record_number,
    validate_site_code,
    validate_site_domain,
)


class WebsiteQuerySet(models.QuerySet):
    def sites(self):
        """Real sites: not the platform's own row (the public schema) nor the site template."""
        return self.filter(kind__in=Website.SITE_KINDS)


class WebsiteManager(models.Manager.from_queryset(WebsiteQuerySet)):
    """The one way to ask "which site is this schema?" (README, "Where the code lives").

    Apps below `tenants` in the layers reach it through django-tenants' `get_tenant_model()`,
    as Django apps reach the user model through `get_user_model()`.
    """

    def for_schema(self, schema_name: str) -> "Website | None":
        """The registry entry of `schema_name` (a site, the platform or the template). In a
        request or a site task django-tenants has loaded it already: no query then."""
        tenant = getattr(connection, "tenant", None)
        if isinstance(tenant, self.model) and tenant.schema_name == schema_name:
            return tenant
        return self.filter(schema_name=schema_name).first()

    def current(self) -> "Website | None":
        """The site the connection is on; None in the public schema and the site template."""
        website = self.for_schema(connection.schema_name)
        return website if website is not None and website.is_site else None

    def portal(self) -> "Website | None":
        """The city's portal: the one active site of kind portal (the oldest, if several)."""
        return (
            self.filter(kind=Website.Kind.PORTAL, status=Website.Status.ACTIVE)
            .order_by("pk")
            .first()
        )


def current_roles_fingerprint() -> str:
    from security.roles import roles_fingerprint  # loads Wagtail's models: not at app loading

    return roles_fingerprint()


class Website(TenantMixin):
    class Kind(models.TextChoices):
        PORTAL = "portal", "门户网站"
        DISTRICT = "district", "区县政府网站"
        DEPARTMENT = "department", "部门网站"
        # Not sites: the public schema (platform console) and the template new sites clone.
        PLATFORM = "platform", "平台"
        TEMPLATE = "template", "站点模板"

    class Status(models.TextChoices):
        ACTIVE = "active", "运行"
        SUSPENDED = "suspended", "暂停"
        ARCHIVED = "archived", "归档"

    SITE_KINDS = (Kind.PORTAL, Kind.DISTRICT, Kind.DEPARTMENT)

    legal_name = models.CharField("法定名称", max_length=100)
    short_name = models.CharField("简称", max_length=40)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机关",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Checked wherever an entry is saved through full_clean (console, provision_site), not only
    # in the console's forms; blank until known (a site is not activated without it).
    site_code = models.CharField(
        "网站标识码", max_length=20, blank=True, validators=[validate_site_code]
    )
    icp_number = models.CharField("ICP备案号", max_length=40, blank=True)
    police_record_number = models.CharField(
        "公安机关备案号", max_length=50, blank=True, validators=[validate_police_record_number]
    )
    sponsor_unit = models.CharField("主办单位", max_length=100, blank=True)
    operator_unit = models.CharField("承办单位", max_length=100, blank=True)
    contact_phone = models.CharField("联系电话", max_length=40, blank=True)
    contact_email = models.EmailField("联系邮箱", blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    languages = ArrayField(
        models.CharField(max_length=10), default=list, blank=True, verbose_name="语言版本"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # Why the operator last changed the status (suspend and archive require one), and when.
    status_reason = models.CharField("状态变更原因", max_length=200, blank=True)
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    # Responsibility (Z3, O1: 谁主管谁负责、谁运行谁负责): a site cannot be activated without them.
    responsible_leader = models.CharField("主管领导", max_length=50, blank=True)
    responsible_leader_phone = models.CharField("主管领导电话", max_length=40, blank=True)
    operator_contact = models.CharField("承办单位负责人", max_length=50, blank=True)
    operator_contact_phone = models.CharField("承办单位负责人电话", max_length=40, blank=True)
    # Emergency read-only mode (Z1): set by freeze_site, cleared by unfreeze_site.
    frozen_at = models.DateTimeField("冻结时间", null=True, blank=True)
    frozen_reason = models.CharField("冻结原因", max_length=200, blank=True)
    # The role definitions the site's groups were last ensured with (security.roles), so
    # setup_platform re-ensures only the sites whose roles changed. A new row starts current:
    # provisioning ensures the roles (a step of SITE_PROVISIONING_STEPS) in the same
    # transaction as the row. Rows made before the column start blank: ensured once.
    roles_fingerprint = models.CharField(
        "角色定义指纹", max_length=64, blank=True, default=current_roles_fingerprint, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WebsiteManager()

    # The schema is made by provisioning (tenants.services), not as a side effect of save().
    auto_create_schema = False
    auto_drop_schema = False

    def create_schema(self, check_if_exists=False, sync_schema=True, verbosity=1):
        _check_schema_name(self.schema_name)
        # A spare copy of the template made ahead (renamed: constant time), else a clone.
        if (
            sync_schema
            and self.kind != self.Kind.TEMPLATE
            and (spares.take(self.schema_name) or clone_template(self.schema_name))
        ):
            return True
        return super().create_schema(
            check_if_exists=check_if_exists, sync_schema=sync_schema, verbosity=verbosity
        )

    class Meta:
        verbose_name = "网站"
        verbose_name_plural = "网站"
        ordering = ["kind", "schema_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["site_code"],
                condition=~models.Q(site_code=""),
                name="unique_site_code",
            ),
        ]

    def __str__(self):
        return self.legal_name

    RESPONSIBILITY_FIELDS = (
        "responsible_leader",
        "responsible_leader_phone",
        "operator_unit",
        "operator_contact",
        "operator_contact_phone",
    )

    def missing_for_activation(self) -> list[str]:
        """What a site must have on record before it goes live: its 网站标识码 and the
        responsible people (labels, empty when complete)."""
        missing = [] if self.site_code.strip() else ["网站标识码"]
        return missing + self.missing_responsibility()

    def missing_responsibility(self) -> list[str]:
        """Labels of the responsibility fields still empty (Z3)."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in self.RESPONSIBILITY_FIELDS
            if not getattr(self, name).strip()
        ]

    @property
    def is_site(self) -> bool:
        return self.kind in self.SITE_KINDS

    @property
    def primary_domain(self) -> str:
        domain = self.get_primary_domain()
        return domain.domain if domain else ""

    @property
    def primary_domain_display(self) -> str:
        return display_domain(self.primary_domain)


class Domain(DomainMixin):
    class Meta:
        verbose_name = "域名"
        verbose_name_plural = "域名"

    def clean(self):
        super().clean()
        validate_site_domain(self.domain)
        self.domain = normalise_domain(self.domain)

    def __str__(self):
        return display_domain(self.domain)


class CalendarEntry(models.Model):
    """An operator's entry in the working-day calendar (tenants/workdays.py): a public holiday
    or a make-up working day (调休上班) as the State Council published it. Entries win over
    the chinesecalendar package; a year with entries counts as known."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假（休息日）"
        WORKDAY = "workday", "调休上班（工作日）"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    note = models.CharField("说明", max_length=100, blank=True, help_text="如：春节、国庆节调休")
    entered_by = models.CharField("录入人", max_length=150, blank=True)
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"
