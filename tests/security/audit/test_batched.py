"""audit.services.batched(): a block's events written together at its end (provisioning)."""

import pytest
from django.db import transaction

from security.audit import services
from security.audit.models import AuditEvent
from tests.tenants.test_provisioning import provision

pytestmark = pytest.mark.django_db


def trail(schema):
    return AuditEvent.objects.filter(schema_name=schema).order_by("seq")


def test_batched_events_are_held_to_the_end_then_chained_in_order(alpha):
    before = trail("alpha").count()
    with transaction.atomic(), services.batched():
        for n in range(3):
            services.record("auth.login", schema_name="alpha", actor=f"batch{n}")
        services.record("console.site_status", schema_name="public", actor="batch-console")
        assert trail("alpha").count() == before  # nothing written yet
    added = list(trail("alpha"))[before:]
    assert [e.actor for e in added] == ["batch0", "batch1", "batch2"]
    assert [e.seq for e in added] == [before + 1, before + 2, before + 3]
    assert added[0].prev_hash == (trail("alpha")[before - 1].hash if before else "")
    assert trail("public").filter(actor="batch-console").count() == 1
    assert services.verify_chain("alpha").ok
    assert services.verify_chain("public").ok


def test_a_failed_batch_writes_nothing(alpha):
    before = trail("alpha").count()
    with pytest.raises(RuntimeError), transaction.atomic(), services.batched():
        services.record("auth.login", schema_name="alpha", actor="never")
        raise RuntimeError
    assert trail("alpha").count() == before


def test_a_provisioned_sites_trail_verifies_and_names_the_site():
    website = provision().website
    events = list(trail(website.schema_name))
    kinds = {e.event_type for e in events}
    assert {"group.create", "group.permissions", "page.create", "user.create"} <= kinds
    assert "console.site_provisioned" in kinds
    assert {e.site_name for e in events} == {website.legal_name}
    assert services.verify_chain(website.schema_name).ok
