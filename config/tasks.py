"""Sending tasks the one way: after commit, in the site's schema."""

from django.db import transaction
from django_tenants.utils import schema_context


def enqueue(task, *args, schema: str, **kwargs):
    """Send `task` for site `schema` once the current transaction commits."""

    def send():
        with schema_context(schema):
            task.apply_async(args=args, kwargs=kwargs)

    transaction.on_commit(send)
