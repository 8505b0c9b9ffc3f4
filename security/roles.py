"""Roles (F3, O3): the groups every site is provisioned with, and the console's roles.

Roles are defined by the platform, not by webmasters: a webmaster assigns people to these
roles on their own site but cannot redefine them (no group editing), so an outsourced
operator gets exactly what their contract needs (O3). Following MLPS 2.0's separation of
duties (三员分立), the webmaster administers, the auditor reads the audit trail, and neither
does the other's job.

Other apps may add permissions to these groups (get-or-create by name, e.g. the disclosure
workflow's 审核员/保密审查员): `ensure_site_roles` adds what a role holds and strips only what
the platform revoked (REVOKED_PERMISSIONS), so existing sites lose a revoked right on upgrade.
"""

import hashlib
import inspect
import json

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import Q
from django.db.models.deletion import Collector
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page, Site

from .audit.services import record

WEBMASTER = "网站管理员"
EDITOR = "编辑"
REVIEWER = "审核员"
CONFIDENTIALITY_REVIEWER = "保密审查员"
OUTSOURCED_OPERATOR = "外包运维"
AUDITOR = "审计员"
MUNICIPAL_CURATOR = "市级编审"  # the portal only
# Handles the cases (applications, letters) addressed to the site (federation.casework).
CASE_HANDLER = "办件员"

CONSOLE_OPERATOR = "平台运维员"
CONSOLE_SECURITY_AUDITOR = "安全审计员"

ALL_PAGE_PERMISSIONS = [
    "add_page",
    "change_page",
    "publish_page",
    "bulk_delete_page",
    "lock_page",
    "unlock_page",
]
ALL_MEDIA = ["add", "change", "delete", "choose"]

# role → (model permissions "app_label.codename", page permissions on the home page,
#          image/document permissions on the root collection)
# 错敏词: the site's own dictionary (security.screening) is the webmaster's to edit.
SCREENING_DICTIONARY = [
    f"screening.{action}_{model}"
    for model in ("screeningterm", "officialtitle")
    for action in ("add", "change", "delete", "view")
]
SITE_ROLES = {
    WEBMASTER: (
        [
            "wagtailadmin.access_admin",
            "auth.add_user",
            "auth.change_user",
            "auth.delete_user",
            "core.change_siteidentity",
            "wagtailredirects.add_redirect",
            "wagtailredirects.change_redirect",
            "wagtailredirects.delete_redirect",
            "security.unlock_account",
            "security.add_vendorgrant",
            "security.change_vendorgrant",
            "security.delete_vendorgrant",
            "security.view_vendorgrant",
            "disclosure.view_disclosure_report",
            *SCREENING_DICTIONARY,
            "interaction.moderate_interaction",
        ],
        ALL_PAGE_PERMISSIONS,
        ALL_MEDIA,
    ),
    EDITOR: (
        # No redirects: a redirect is live at once, with no review (issue 13, Z2).
        ["wagtailadmin.access_admin"],
        ["add_page", "change_page"],
        ["add", "change", "choose"],
    ),
    REVIEWER: (
        # No publish_page: approving the review task is what publishes (sites.disclosure
        # finishes the workflow), so a reviewer cannot skip the confidentiality review.
        ["wagtailadmin.access_admin", "interaction.moderate_interaction"],
        ["change_page", "lock_page", "unlock_page"],
        ["choose"],
    ),
    CONFIDENTIALITY_REVIEWER: (
        # Sees and comments on what is submitted; approval rights come from the workflow
        # task the group is assigned to, not from page permissions.
        ["wagtailadmin.access_admin"],
        ["change_page"],
        ["choose"],
    ),
    OUTSOURCED_OPERATOR: (
        # Content entry only: no publishing, no users, no settings, no redirects. No page
        # rights either: each vendor account gets add/change on the sections its contract
        # names (VendorGrant, security.vendors), not the whole site.
        ["wagtailadmin.access_admin"],
        [],
        ["add", "choose"],
    ),
    AUDITOR: (
        ["wagtailadmin.access_admin", "security.view_audit_trail"],
        [],
        [],
    ),
    # The site's part of cases (办件); case data is public-schema rows, checked by role.
    CASE_HANDLER: (["wagtailadmin.access_admin"], [], []),
}
PORTAL_ROLES = {
    MUNICIPAL_CURATOR: (
        ["wagtailadmin.access_admin"],
        ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
        ["add", "change", "choose"],
    ),
}
# Rights the platform took back: stripped from existing sites' groups by ensure_site_roles
# (which otherwise only adds, as other apps add to these groups too). Redirects are the
# webmaster's tool: no other role keeps them.
REDIRECT_PERMISSIONS = [
    "wagtailredirects.add_redirect",
    "wagtailredirects.change_redirect",
    "wagtailredirects.delete_redirect",
    "wagtailredirects.view_redirect",
]
REVOKED_PERMISSIONS = dict.fromkeys(
    (EDITOR, REVIEWER, CONFIDENTIALITY_REVIEWER, OUTSOURCED_OPERATOR, AUDITOR, MUNICIPAL_CURATOR),
    REDIRECT_PERMISSIONS,
)
# Page rights on the home page the platform took back (deleted from existing sites' grants).
REVOKED_PAGE_PERMISSIONS = {OUTSOURCED_OPERATOR: ["add_page", "change_page"]}
# Wagtail's own default groups (English) are replaced by the roles above.
WAGTAIL_DEFAULT_GROUPS = ("Editors", "Moderators")


def _permissions(names, known) -> list:
    """The permissions named "app_label.codename", from `known` {(app_label, codename): …}."""
    missing = [name for name in names if tuple(name.split(".")) not in known]
    if missing:
        raise LookupError(
            f"permissions missing in schema {connection.schema_name}: {sorted(missing)}"
        )
    return [known[tuple(name.split("."))] for name in names]


# Models of the site apps (sites.*: disclosure, services, interaction…) are content: each
# role gets these actions on them, so a new app's admin works for the right roles at once.
CONTENT_MODEL_ACTIONS = {
    WEBMASTER: ("add", "change", "delete", "view"),
    EDITOR: ("add", "change", "view"),
    OUTSOURCED_OPERATOR: ("add", "change", "view"),
    REVIEWER: ("change", "view"),
    CONFIDENTIALITY_REVIEWER: ("view",),
    MUNICIPAL_CURATOR: ("add", "change", "view"),
}
NOT_CONTENT_APPS = {"security"}
NOT_CONTENT_MODELS = {("core", "siteidentity")}  # a setting: the webmaster's, listed above


def content_permissions(actions, permissions) -> list:
    """Of `permissions` (read with their content types), the site apps' own model
    permissions for `actions`."""
    labels = {
        c.label
        for c in apps.get_app_configs()
        if c.name.startswith("sites.") and c.label not in NOT_CONTENT_APPS
    }
    # Only the model's own add/change/delete/view permissions: an app's custom permissions
    # (e.g. disclosure.view_disclosure_report) are granted to roles explicitly.
    return [
        p
        for p in permissions
        if p.content_type.app_label in labels
        and p.codename in {f"{action}_{p.content_type.model}" for action in actions}
        and (p.content_type.app_label, p.content_type.model) not in NOT_CONTENT_MODELS
    ]


def roles_for(kind: str) -> dict:
    return {**SITE_ROLES, **(PORTAL_ROLES if kind == "portal" else {})}


def ensure_site_roles(website) -> dict[str, Group]:
    """Create (or complete) the site's role groups. Runs in the site's schema; idempotent.
    A provisioning step (SITE_PROVISIONING_STEPS), after the home page is made."""
    # Page grants go on the site's home page: the root page of its Wagtail Site.
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = site.root_page if site is not None else Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    _remove_wagtail_default_groups()
    # Provisioning runs this for every new site: read the schema's permissions (a few
    # hundred rows) and the groups' grants once, and write what is missing with one
    # statement a table, not a lookup, an insert and an audit query per group and grant.
    permissions = list(Permission.objects.select_related("content_type"))
    known = {(p.content_type.app_label, p.codename): p for p in permissions}
    roles = roles_for(website.kind)
    existing = {group.name: group for group in Group.objects.filter(name__in=roles)}
    # New groups one by one: the trail records each (group.create), as for any group.
    groups = {name: existing.get(name) or Group.objects.create(name=name) for name in roles}
    _grant_model_permissions(groups, roles, permissions, known)

    page_grants, media_grants = [], []
    for name, (_model_perms, page_perms, media_perms) in roles.items():
        group = groups[name]
        if REVOKED_PAGE_PERMISSIONS.get(name):
            GroupPagePermission.objects.filter(
                group=group,
                page=home,
                permission__content_type__app_label="wagtailcore",
                permission__codename__in=REVOKED_PAGE_PERMISSIONS[name],
            ).delete()
        # Unique per group+object+permission: ignore_conflicts keeps this idempotent.
        page_grants += [
            GroupPagePermission(group=group, page=home, permission=known["wagtailcore", codename])
            for codename in page_perms
        ]
        media_grants += [
            GroupCollectionPermission(
                group=group,
                collection=root_collection,
                permission=known[app, f"{action}_{model}"],
            )
            for action in media_perms
            for app, model in (("wagtailimages", "image"), ("wagtaildocs", "document"))
        ]
    GroupPagePermission.objects.bulk_create(page_grants, ignore_conflicts=True)
    GroupCollectionPermission.objects.bulk_create(media_grants, ignore_conflicts=True)
    return groups


def _remove_wagtail_default_groups() -> None:
    defaults = Group.objects.filter(name__in=WAGTAIL_DEFAULT_GROUPS, user__isnull=True)
    # Their page and collection grants first, read with what the trail names for each
    # (permission.page / permission.collection "removed"): one query, not three a grant.
    # (QuerySet.delete() drops select_related, so the rows go through a Collector.)
    collector = Collector(using=Group.objects.db)
    for grants in (
        GroupPagePermission.objects.select_related("group", "page", "permission"),
        GroupCollectionPermission.objects.select_related("group", "collection", "permission"),
    ):
        collector.collect(list(grants.filter(group__in=defaults)))
    collector.delete()
    defaults.delete()


def _grant_model_permissions(groups, roles, permissions, known) -> None:
    """Each role's model permissions and its actions on content models, less what the
    platform revoked: added where missing, the revoked ones taken away where held. The trail
    gets one group.permissions event a group and change, as `group.permissions.add()` and
    `.remove()` record (without their empty ones)."""
    through = Group.permissions.through
    held = {group.pk: set() for group in groups.values()}
    for group_id, permission_id in through.objects.filter(
        group__in=list(groups.values())
    ).values_list("group_id", "permission_id"):
        held[group_id].add(permission_id)
    rows, taken_back, changes = [], [], []
    for name, (model_perms, _page_perms, _media_perms) in roles.items():
        group = groups[name]
        revoked = {p.pk for p in _permissions(REVOKED_PERMISSIONS.get(name, ()), known)}
        wanted = _permissions(model_perms, known) + content_permissions(
            CONTENT_MODEL_ACTIONS.get(name, ()), permissions
        )
        added = {p.pk: p for p in wanted if p.pk not in held[group.pk] | revoked}
        removed = [p for p in permissions if p.pk in revoked & held[group.pk]]
        rows += [through(group_id=group.pk, permission_id=pk) for pk in added]
        taken_back += [(group.pk, p.pk) for p in removed]
        for verb, changed in (("added", added.values()), ("removed", removed)):
            if changed:
                names = sorted(f"{p.content_type.app_label}.{p.codename}" for p in changed)
                changes.append((group, {verb: names}))
    through.objects.bulk_create(rows, ignore_conflicts=True)
    if taken_back:
        query = Q(pk__in=[])
        for group_id, permission_id in taken_back:
            query |= Q(group_id=group_id, permission_id=permission_id)
        through.objects.filter(query).delete()
    for group, change in changes:
        record("group.permissions", obj=group, changes=change)


def roles_fingerprint() -> str:
    """A digest of the site roles as this code defines them, stored on each site's registry
    entry when its roles are ensured: `setup_platform` re-ensures only the sites whose digest
    differs, instead of every site on every run (~0.5 s a site).

    It covers the definitions above, the content models of the site apps (a new model's
    permissions go to the roles) and the code that applies them (a change to how roles are
    applied counts as a change too: one slow run beats a role half-applied)."""
    content_models = sorted(
        f"{model._meta.app_label}.{model._meta.model_name}:{','.join(model._meta.default_permissions)}"
        for config in apps.get_app_configs()
        if config.name.startswith("sites.") and config.label not in NOT_CONTENT_APPS
        for model in config.get_models()
        if (model._meta.app_label, model._meta.model_name) not in NOT_CONTENT_MODELS
    )
    definition = [
        SITE_ROLES,
        PORTAL_ROLES,
        REVOKED_PERMISSIONS,
        REVOKED_PAGE_PERMISSIONS,
        CONTENT_MODEL_ACTIONS,
        WAGTAIL_DEFAULT_GROUPS,
        content_models,
        [
            inspect.getsource(f)
            for f in (
                ensure_site_roles,
                content_permissions,
                _permissions,
                _remove_wagtail_default_groups,
                _grant_model_permissions,
            )
        ],
    ]
    text = json.dumps(definition, sort_keys=True, ensure_ascii=False, default=sorted)
    return hashlib.sha256(text.encode()).hexdigest()


def is_webmaster(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.groups.filter(name=WEBMASTER).exists()
    )


# --- the platform console (public schema) --------------------------------------------------


def ensure_console_roles() -> dict[str, Group]:
    """The console's two roles. Membership is what counts; the groups carry no permissions."""
    return {
        name: Group.objects.get_or_create(name=name)[0]
        for name in (CONSOLE_OPERATOR, CONSOLE_SECURITY_AUDITOR)
    }


def is_console_operator(user) -> bool:
    # is_staff keeps accounts made before the roles existed (createsuperuser, the demo).
    return (
        user.is_authenticated
        and user.is_active
        and (
            user.is_superuser or user.is_staff or user.groups.filter(name=CONSOLE_OPERATOR).exists()
        )
    )


def is_console_security_auditor(user) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.groups.filter(name=CONSOLE_SECURITY_AUDITOR).exists())
    )
