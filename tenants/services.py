"""Provisioning and the site lifecycle (P3). Commands and the console call these; nothing else."""

import logging
import re
import secrets
import string
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tenants.utils import (
    get_public_schema_name,
    schema_context,
    schema_exists,
    tenant_context,
)
from wagtail.models import Site

from security.audit import services as audit
from security.audit.services import record
from security.roles import WEBMASTER, ensure_console_roles

from . import spares
from .models import Domain, Website
from .signals import site_frozen_changed, site_status_changed
from .validators import normalise_domain, validate_site_domain

log = logging.getLogger("jiyue.tenants")

RESERVED_SCHEMAS = {"public", "information_schema", settings.TENANT_BASE_SCHEMA}
_SCHEMA_NAME = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


class ProvisioningError(Exception):
    """Provisioning refused: the message says what to change."""


@dataclass
class ProvisionedSite:
    website: Website
    webmaster_username: str
    webmaster_password: str


def ensure_platform(console_host: str | None = None) -> Website:
    """The public schema's registry row and the console's host. Idempotent."""
    console_host = normalise_domain(console_host or settings.CONSOLE_HOST)
    platform, _ = Website.objects.get_or_create(
        schema_name=get_public_schema_name(),
        defaults={
            "legal_name": "集约政府网站集约化平台",
            "short_name": "平台控制台",
            "kind": Website.Kind.PLATFORM,
        },
    )
    Domain.objects.filter(tenant=platform).exclude(domain=console_host).delete()
    Domain.objects.get_or_create(
        domain=console_host, defaults={"tenant": platform, "is_primary": True}
    )
    ensure_console_roles()
    return platform


def ensure_template(verbosity: int = 0) -> Website:
    """The schema every new site is cloned from, kept migrated like any tenant. Idempotent."""
    name = settings.TENANT_BASE_SCHEMA
    template = Website.objects.for_schema(name)
    if template is None:
        template = Website.objects.create(
            schema_name=name,
            legal_name="站点模板",
            short_name="模板",
            kind=Website.Kind.TEMPLATE,
            status=Website.Status.ARCHIVED,
        )
    if not schema_exists(name):
        log.info("creating the site template schema %s (runs every tenant migration once)", name)
        template.create_schema(check_if_exists=True, verbosity=verbosity)
    return template


def suggest_schema_name(domain: str) -> str:
    label = normalise_domain(domain).split(".")[0]
    name = re.sub(r"[^a-z0-9_]", "_", label.replace("xn--", "")).strip("_")
    if not name or not name[0].isalpha():
        name = f"site_{name}"
    return name[:40]


def validate_new_site(*, kind: str, domain: str, schema_name: str) -> None:
    errors = {}
    if kind not in Website.SITE_KINDS:
        errors["kind"] = f"未知的网站类型 “{kind}”：可选 portal / district / department。"
    try:
        validate_site_domain(domain)
    except ValidationError as exc:
        errors["domain"] = " ".join(exc.messages)
    else:
        if Domain.objects.filter(domain=normalise_domain(domain)).exists():
            errors["domain"] = f"域名 {domain} 已被其他网站使用 (the domain is taken)."
    if (
        not _SCHEMA_NAME.match(schema_name)
        or schema_name in RESERVED_SCHEMAS
        or schema_name.startswith(("pg_", spares.PREFIX))
    ):
        errors["schema_name"] = (
            f"模式名 “{schema_name}” 不可用：须以小写字母开头，仅含小写字母、数字和下划线，"
            f"且不能是保留名 (public, site_template, pg_*, {spares.PREFIX}*)."
        )
    elif Website.objects.filter(schema_name=schema_name).exists() or schema_exists(schema_name):
        errors["schema_name"] = (
            f"模式名 “{schema_name}” 已存在 (schema exists): 请用 --schema 指定另一个。"
        )
    if errors:
        raise ValidationError(errors)


def provision_site(
    *,
    kind: str,
    legal_name: str,
    short_name: str,
    domain: str,
    schema_name: str | None = None,
    parent: Website | None = None,
    webmaster_username: str = "webmaster",
    webmaster_password: str | None = None,
    webmaster_password_hash: str | None = None,
    **registry_fields,
) -> ProvisionedSite:
    """Create a working site: schema (cloned), its content (SITE_PROVISIONING_STEPS: home
    page, column tree, `Site` row, roles, review workflows, catalogue…), its first webmaster.

    `webmaster_password_hash` (from make_password) instead of a password: a caller that makes
    many sites with one known password (the demo) hashes it once, not once a site (~0.5 s).

    All or nothing: the schema DDL, the registry rows and the site's content are made in one
    transaction, so a failure anywhere leaves no half-made site behind.
    """
    connection.set_schema_to_public()  # the registry lives there, whatever ran before
    schema_name = schema_name or suggest_schema_name(domain)
    validate_new_site(kind=kind, domain=domain, schema_name=schema_name)
    if not legal_name.strip():
        raise ValidationError({"legal_name": "法定名称不能为空 (legal name is required)."})
    ensure_template()
    password = webmaster_password or ("" if webmaster_password_hash else generate_password())

    # The site's ~70 audit events (groups, grants, pages) are chained in one write at the end.
    with transaction.atomic(), audit.batched():
        website = Website(
            schema_name=schema_name,
            kind=kind,
            legal_name=legal_name.strip(),
            short_name=(short_name or legal_name).strip(),
            parent=parent,
            **registry_fields,
        )
        website.full_clean(exclude=["schema_name"])
        website.save()
        Domain.objects.create(domain=normalise_domain(domain), tenant=website, is_primary=True)
        website.create_schema(check_if_exists=False, verbosity=0)
        # tenant_context, not schema_context: code asking "which site is this?" (the audit
        # trail's site name, once an event) gets the registry row without a query.
        with tenant_context(website):
            for step in provisioning_steps():
                step(website)
            create_webmaster(
                website, webmaster_username, password, password_hash=webmaster_password_hash
            )
        connection.set_schema_to_public()
        _audit(
            "console.site_provisioned",
            website,
            {
                "domain": domain,
                "kind": kind,
                "webmaster": webmaster_username,
                "missing_responsibility": website.missing_responsibility(),
            },
        )
    log.info("provisioned %s (%s) at %s", website.legal_name, schema_name, domain)
    spares.leave_catalog_caches_behind()
    return ProvisionedSite(website, webmaster_username, password)


def provisioning_steps():
    """What a new site is made of, in order (SITE_PROVISIONING_STEPS): each app that gives
    every site something registers a step there, so provisioning names none of them."""
    return [import_string(path) for path in settings.SITE_PROVISIONING_STEPS]


def create_webmaster(website, username: str, password: str, password_hash: str | None = None):
    """The site's first webmaster: a member of the 网站管理员 role, not a superuser. Users live
    in the site's own schema, so the account is worth nothing anywhere else."""
    user_model = get_user_model()
    fields = {"email": website.contact_email or "", "first_name": "网站管理员"}
    if password_hash:
        user = user_model.objects.create(username=username, password=password_hash, **fields)
    else:
        user = user_model.objects.create_user(username=username, password=password, **fields)
    user.groups.add(Group.objects.get(name=WEBMASTER))
    return user


def generate_password(length: int = 16) -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if any(c.isdigit() for c in password) and any(c.isupper() for c in password):
            return password


def set_status(website: Website, status: str, reason: str = "") -> Website:
    """Suspend, archive or (re)activate a site; `reason` is kept on the registry entry and in
    the trail (the console requires one to suspend or archive)."""
    if not website.is_site:
        raise ProvisioningError(f"{website.schema_name} 不是网站，不能改变其状态。")
    if status not in Website.Status.values:
        raise ProvisioningError(f"未知状态 “{status}”。")
    missing = website.missing_for_activation()
    if status == Website.Status.ACTIVE and missing:
        raise ProvisioningError(
            f"{website.legal_name} 缺少{'、'.join(missing)}，不能启用：请先在控制台补全"
            "网站标识码、主管领导和承办单位联系人等登记信息。"
        )
    previous = website.status
    website.status = status
    website.status_reason = (reason or "").strip()[:200]
    website.status_changed_at = timezone.now()
    website.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
    changes = {"status": [previous, status]}
    if website.status_reason:
        changes["reason"] = website.status_reason
    _audit("console.site_status", website, changes)
    site_status_changed.send(sender=Website, website=website, status=status, previous=previous)
    log.info("site %s is now %s", website.schema_name, status)
    return website


# --- the registry entry, after creation -------------------------------------------------------


def update_registry(website: Website, values: dict) -> dict:
    """Change registry fields (validated by the caller's form); returns {field: [old, new]},
    recorded in the console's trail and the site's. The site's Wagtail `Site` keeps its name."""
    changes = {}
    for name, value in values.items():
        old = getattr(website, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(website, name, value)
    if not changes:
        return changes
    with transaction.atomic():
        website.save()
        if "legal_name" in changes:
            with schema_context(website.schema_name):
                Site.objects.update(site_name=website.legal_name)
            connection.set_schema_to_public()
        _audit("console.site_registry", website, changes)
    return changes


def _plain(value):
    if isinstance(value, Website):
        return f"{value.legal_name} ({value.schema_name})"
    return value


def add_domain(website: Website, domain: str) -> Domain:
    validate_site_domain(domain)
    domain = normalise_domain(domain)
    owner = Domain.objects.filter(domain=domain).select_related("tenant").first()
    if owner is not None:
        raise ValidationError(f"域名 {domain} 已被 {owner.tenant.legal_name} 使用。")
    with transaction.atomic():
        row = Domain.objects.create(domain=domain, tenant=website, is_primary=False)
        _audit("console.site_domains", website, {"added": domain})
    return row


def remove_domain(website: Website, domain: str) -> None:
    row = _own_domain(website, domain)
    if row.is_primary:
        raise ValidationError(f"{row} 是主域名，不能删除：请先把另一个域名设为主域名。")
    with transaction.atomic():
        row.delete()
        _audit("console.site_domains", website, {"removed": row.domain})


def set_primary_domain(website: Website, domain: str) -> None:
    """The address the site's links and Wagtail's `Site` use."""
    row = _own_domain(website, domain)
    previous = website.primary_domain
    if row.is_primary:
        return
    with transaction.atomic():
        Domain.objects.filter(tenant=website).exclude(pk=row.pk).update(is_primary=False)
        row.is_primary = True
        row.save()
        with schema_context(website.schema_name):
            Site.objects.update(hostname=row.domain)
        connection.set_schema_to_public()
        _audit("console.site_domains", website, {"primary": [previous, row.domain]})


def _own_domain(website: Website, domain: str) -> Domain:
    row = Domain.objects.filter(tenant=website, domain=normalise_domain(domain)).first()
    if row is None:
        raise ValidationError(f"{website.legal_name} 没有域名 {domain}。")
    return row


def freeze(website: Website, reason: str = "") -> bool:
    """Emergency read-only mode (Z1): the site serves its pages and refuses every write,
    its visitors' and the platform's own (scheduled publishing, syndicated deliveries).
    False when it was frozen already."""
    connection.set_schema_to_public()  # the registry is only written from the public schema
    if website.frozen_at:
        return False
    website.frozen_at = timezone.now()
    website.frozen_reason = (reason or "应急处置")[:200]
    website.save(update_fields=["frozen_at", "frozen_reason", "updated_at"])
    _audit("console.site_frozen", website, {"reason": website.frozen_reason})
    site_frozen_changed.send(sender=Website, website=website, frozen=True)
    return True


def unfreeze(website: Website) -> bool:
    connection.set_schema_to_public()
    if not website.frozen_at:
        return False
    since = website.frozen_at
    website.frozen_at, website.frozen_reason = None, ""
    website.save(update_fields=["frozen_at", "frozen_reason", "updated_at"])
    _audit("console.site_unfrozen", website, {"frozen_since": since.isoformat()})
    site_frozen_changed.send(sender=Website, website=website, frozen=False)
    return True


def _audit(event_type, website, changes):
    # The console's trail (public chain) and the site's own: both should show it.
    for schema in ("public", website.schema_name):
        record(event_type, schema_name=schema, obj=website, changes=changes)


def sites():
    """Every real site (not the platform or the template), in registry order."""
    return Website.objects.sites().prefetch_related("domains")


def chosen_sites(schemas, all_sites: bool = False) -> list[Website]:
    """The sites an operator's command names (schema names), or every site."""
    if all_sites:
        return list(sites())
    return [get_site(name) for name in schemas]


def get_site(schema_name: str) -> Website:
    try:
        return sites().get(schema_name=schema_name)
    except Website.DoesNotExist:
        known = ", ".join(sites().values_list("schema_name", flat=True)) or "(none yet)"
        raise ProvisioningError(
            f"没有模式名为 “{schema_name}” 的网站。Known sites: {known}"
        ) from None
