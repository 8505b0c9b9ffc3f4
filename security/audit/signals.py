"""Recorders: Django and Wagtail signals → audit events. They only record; no behaviour here."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
from wagtail.models import (
    GroupCollectionPermission,
    GroupPagePermission,
    ModelLogEntry,
    PageLogEntry,
    Site,
)

from .services import record

USER_FIELDS = (
    "username",
    "email",
    "first_name",
    "last_name",
    "is_active",
    "is_staff",
    "is_superuser",
)


# --- sign-in -------------------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="audit_login")
def _login(sender, request, user, **kwargs):
    record("auth.login", user=user, obj=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logout(sender, request, user, **kwargs):
    if user is not None:
        record("auth.logout", user=user, obj=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record(
        "auth.login_failed",
        actor=username,
        object_type="auth.user",
        object_repr=username,
        request=request,
        message="用户名或密码错误，或账户已锁定",
    )


# --- users, roles, permissions -------------------------------------------------------------


def _is_user(sender):
    return sender is get_user_model()


@receiver(pre_save, dispatch_uid="audit_user_before")
def _remember_before(sender, instance, **kwargs):
    if not (_is_user(sender) or sender is Group or _is_setting(sender)):
        return
    if instance.pk is None:
        instance._audit_before = None
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = old


def _diff(old, new, names):
    changes = {}
    for name in names:
        before, after = (
            getattr(old, name, None) if old is not None else None,
            getattr(new, name, None),
        )
        if before != after:
            changes[name] = [before, after]
    return changes


@receiver(post_save, dispatch_uid="audit_user_saved")
def _saved(sender, instance, created, update_fields=None, **kwargs):
    if _is_user(sender):
        if update_fields and set(update_fields) <= {"last_login"}:
            return  # a sign-in, recorded as auth.login
        old = getattr(instance, "_audit_before", None)
        changes = _diff(old, instance, USER_FIELDS)
        if old is not None and old.password != instance.password:
            changes["password"] = "changed"  # noqa: S105  (never the hash itself)
        if created or changes:
            record("user.create" if created else "user.change", obj=instance, changes=changes)
    elif sender is Group:
        old = getattr(instance, "_audit_before", None)
        changes = _diff(old, instance, ("name",))
        if created or changes:
            record("group.create" if created else "group.change", obj=instance, changes=changes)
    elif _is_setting(sender):
        old = getattr(instance, "_audit_before", None)
        names = [f.attname for f in sender._meta.concrete_fields if f.name != "id"]
        changes = _diff(old, instance, names)
        if created or changes:
            record(
                "settings.change",
                obj=instance,
                changes=changes,
                object_repr=f"{sender._meta.verbose_name}",
            )


@receiver(post_delete, dispatch_uid="audit_deleted")
def _deleted(sender, instance, **kwargs):
    if _is_user(sender):
        record("user.delete", obj=instance)
    elif sender is Group:
        record("group.delete", obj=instance)
    else:
        _permission_row(sender, instance, "removed")


def _is_setting(sender) -> bool:
    return sender is Site or issubclass(sender, BaseSiteSetting | BaseGenericSetting)


@receiver(m2m_changed, dispatch_uid="audit_m2m")
def _m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    user_model = get_user_model()
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    if sender is user_model.groups.through:
        if not reverse:  # user.groups.add(group)
            names = list(Group.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True))
            record("user.groups", obj=instance, changes={verb: names})
        else:  # group.user_set.add(user)
            for user in user_model.objects.filter(pk__in=pk_set or ()):
                record("user.groups", obj=user, changes={verb: [instance.name]})
    elif sender is user_model.user_permissions.through:
        record("user.permissions", obj=instance, changes={verb: _codenames(pk_set)})
    elif sender is Group.permissions.through:
        record("group.permissions", obj=instance, changes={verb: _codenames(pk_set)})


def _codenames(pk_set):
    return sorted(
        f"{app}.{code}"
        for app, code in Permission.objects.filter(pk__in=pk_set or ()).values_list(
            "content_type__app_label", "codename"
        )
    )


def _permission_row(sender, instance, verb):
    if sender is GroupPagePermission:
        record(
            "permission.page",
            obj=instance.group,
            changes={
                verb: {
                    "page": f"{instance.page_id} {instance.page.title}",
                    "permission": instance.permission.codename,
                }
            },
        )
    elif sender is GroupCollectionPermission:
        record(
            "permission.collection",
            obj=instance.group,
            changes={
                verb: {
                    "collection": str(instance.collection),
                    "permission": instance.permission.codename,
                }
            },
        )


@receiver(post_save, dispatch_uid="audit_permission_rows")
def _permission_saved(sender, instance, created, **kwargs):
    if created:
        _permission_row(sender, instance, "added")


# --- content: mirrored from Wagtail's own action log ---------------------------------------

SKIPPED_MODELS = {"auth.user", "auth.group", "wagtailcore.site"}


def _mirror_log_entry(sender, instance, created, **kwargs):
    if not created:
        return
    action = instance.action or ""
    short = action.removeprefix("wagtail.")
    if sender.__name__ == "PageLogEntry":
        event_type = short if short.startswith("workflow.") else f"page.{short}"
        object_type, object_id = "wagtailcore.page", instance.page_id
    else:
        ct = instance.content_type
        if ct is not None and f"{ct.app_label}.{ct.model}" in SKIPPED_MODELS:
            return  # recorded with field-level detail by the handlers above
        if ct is not None and _is_setting(ct.model_class() or Group):
            return
        model = ct.model if ct is not None else "object"
        event_type = short if short.startswith("workflow.") else f"{model}.{short}"
        object_type, object_id = (f"{ct.app_label}.{ct.model}" if ct else ""), instance.object_id
    record(
        event_type,
        user=instance.user,
        object_type=object_type,
        object_id=object_id,
        object_repr=instance.label,
        changes=instance.data or {},
        message=f"Wagtail: {action}",
    )


def connect_wagtail_log():
    post_save.connect(_mirror_log_entry, sender=PageLogEntry, dispatch_uid="audit_page_log")
    post_save.connect(_mirror_log_entry, sender=ModelLogEntry, dispatch_uid="audit_model_log")


connect_wagtail_log()
