"""Role groups kept current across every site without visiting the current ones.

`setup_platform` runs `ensure_site_roles --changed`: each site's registry entry records the
role definitions its groups were last ensured with (security.roles.roles_fingerprint), and
only the sites recorded with other definitions are visited (~0.5 s a site: minutes at 1,000
sites when every site was visited on every run).
"""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from security import roles
from tenants.management.commands import ensure_site_roles as command
from tenants.models import Website

pytestmark = pytest.mark.django_db


@pytest.fixture
def visited(monkeypatch):
    """The sites whose schema the command enters to ensure roles, in order."""
    seen = []

    def ensure(website):
        seen.append(website.schema_name)
        return roles.ensure_site_roles(website)

    monkeypatch.setattr(command, "ensure_site_roles", ensure)
    return seen


def test_a_new_site_starts_with_the_current_role_definitions(alpha):
    # Provisioning ensured its roles in the transaction that made its registry row.
    assert Website.objects.get(pk=alpha.pk).roles_fingerprint == roles.roles_fingerprint()


def test_an_unchanged_run_touches_no_site_schema(alpha, beta, visited):
    Website.objects.sites().update(roles_fingerprint=roles.roles_fingerprint())
    with CaptureQueriesContext(connection) as queries:
        call_command("ensure_site_roles", changed=True)
    assert visited == []
    # The console's two groups (public) and the one registry query, whatever the sites.
    assert len(queries) <= 3, [q["sql"] for q in queries]
    assert not any("auth_permission" in q["sql"] for q in queries)


def test_a_changed_role_definition_reaches_every_site_on_the_next_run(
    alpha, beta, visited, monkeypatch
):
    Website.objects.sites().update(roles_fingerprint=roles.roles_fingerprint())
    before = roles.roles_fingerprint()
    model_perms, page_perms, media_perms = roles.SITE_ROLES[roles.EDITOR]
    monkeypatch.setitem(
        roles.SITE_ROLES,
        roles.EDITOR,
        ([*model_perms, "security.view_vendorgrant"], page_perms, media_perms),
    )
    assert roles.roles_fingerprint() != before

    call_command("ensure_site_roles", changed=True)

    assert {"alpha", "beta"} <= set(visited)
    for site in ("alpha", "beta"):
        with schema_context(site):
            editors = Group.objects.get(name=roles.EDITOR)
            assert editors.permissions.filter(codename="view_vendorgrant").exists()
    assert set(Website.objects.sites().values_list("roles_fingerprint", flat=True)) == {
        roles.roles_fingerprint()
    }

    visited.clear()
    call_command("ensure_site_roles", changed=True)
    assert visited == []  # recorded: the next run has nothing to do


def test_the_fingerprint_follows_the_definitions_and_the_code_applying_them(
    monkeypatch,
):
    before = roles.roles_fingerprint()
    monkeypatch.setitem(roles.CONTENT_MODEL_ACTIONS, roles.AUDITOR, ("view",))
    assert roles.roles_fingerprint() != before
    monkeypatch.undo()
    assert roles.roles_fingerprint() == before
    monkeypatch.setattr(roles.inspect, "getsource", lambda f: f"{f.__name__} rewritten")
    assert roles.roles_fingerprint() != before
