"""pre_migrate and post_migrate in a site schema, as `migrate` sends them, minus repeated work.

Django sends both signals once for each installed app (~45 here), and a handler connected
without a sender runs every time:

- contenttypes' `create_contenttypes` and auth's `create_permissions` read the app's content
  types and permissions, 3–4 queries an app (~170 a schema, most of an additive migration's
  round trips), and wagtail.snippets' `create_extra_permissions` two more. They only ever add
  rows that are missing. Here one query reads the schema's content types and permissions
  first; when every row those handlers would add is there (any migration that adds no model or
  permission), the three are left out. When one is missing, they run as `migrate` runs them.
- Wagtail's reference-index handlers disconnect (pre_migrate) and reconnect (post_migrate)
  the save and delete signals of its ~34 tracked models: 45 times 68 (dis)connections, each
  scanning the receivers, for what one call does. Here they run once a schema.

Every other handler (an app's own, one added later) gets both signals for every app, as
`migrate` sends them.
"""

from contextlib import contextmanager

from django.apps import apps as global_apps
from django.contrib.auth import get_permission_codename
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connection, router
from django.db.models.signals import post_migrate, pre_migrate
from wagtail.models import DraftStateMixin, LockableMixin
from wagtail.signal_handlers import (
    connect_reference_index_signal_handlers,
    disconnect_reference_index_signal_handlers,
)
from wagtail.snippets.models import create_extra_permissions, get_snippet_models

_CREATE_PERMISSIONS_UID = "django.contrib.auth.management.create_permissions"  # auth's apps.py


def send_pre_migrate(apps, plan) -> None:
    with _left_out(pre_migrate, [(disconnect_reference_index_signal_handlers, {})]):
        emit_pre_migrate_signal(0, False, connection.alias, apps=apps, plan=plan)
    disconnect_reference_index_signal_handlers()


def send_post_migrate(apps, plan) -> None:
    """`apps`: the models after the migrations, as `migrate` hands them to the handlers."""
    left_out = [(connect_reference_index_signal_handlers, {})]
    if not rows_missing(apps):
        left_out += [
            (create_contenttypes, {}),
            (create_permissions, {"dispatch_uid": _CREATE_PERMISSIONS_UID}),
            (create_extra_permissions, {"sender": global_apps.get_app_config("wagtailsnippets")}),
        ]
    with _left_out(post_migrate, left_out):
        emit_post_migrate_signal(0, False, connection.alias, apps=apps, plan=plan)
    connect_reference_index_signal_handlers()


def rows_missing(apps) -> bool:
    """Whether the content-type and permission handlers would add a row in this schema: one
    query for what they would read app by app."""
    alias = connection.alias
    if not (
        router.allow_migrate_model(alias, ContentType)
        and router.allow_migrate_model(alias, Permission)
    ):
        return True  # theirs to decide (they do nothing where the router says no)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ct.app_label, ct.model, p.codename FROM {ContentType._meta.db_table} ct "  # noqa: S608 (model table names)
            f"LEFT JOIN {Permission._meta.db_table} p ON p.content_type_id = ct.id"
        )
        present = set(cursor.fetchall())
    present |= {(app, model, None) for app, model, _ in present}
    return not rows_expected(apps) <= present


def rows_expected(apps) -> set[tuple[str, str, str | None]]:
    """(app label, model, permission codename) of every row the three handlers would make
    given `apps`, and (app label, model, None) for each content type; their early returns
    mirrored."""
    rows = set()
    for app_config in global_apps.get_app_configs():  # as emit_post_migrate_signal goes
        if app_config.models_module is None:
            continue
        try:
            models = list(apps.get_app_config(app_config.label).get_models())
        except LookupError:
            continue
        for model in models:
            opts = model._meta
            rows.add((opts.app_label, opts.model_name, None))
            rows.update(
                (opts.app_label, opts.model_name, get_permission_codename(action, opts))
                for action in opts.default_permissions
            )
            rows.update(
                (opts.app_label, opts.model_name, codename) for codename, _ in opts.permissions
            )
    try:  # create_extra_permissions returns without the app in `apps`
        apps.get_app_config("wagtailsnippets")
    except LookupError:
        return rows
    for model in get_snippet_models():
        opts = model._meta
        rows.add((opts.app_label, opts.model_name, None))
        actions = (["publish"] if issubclass(model, DraftStateMixin) else []) + (
            ["lock", "unlock"] if issubclass(model, LockableMixin) else []
        )
        rows.update(
            (opts.app_label, opts.model_name, get_permission_codename(a, opts)) for a in actions
        )
    return rows


@contextmanager
def _left_out(signal, handlers):
    """`handlers` (receiver, how it was connected) disconnected from `signal` meanwhile."""
    disconnected = [
        (receiver, how) for receiver, how in handlers if signal.disconnect(receiver, **how)
    ]
    try:
        yield
    finally:
        for receiver, how in disconnected:
            signal.connect(receiver, **how)
