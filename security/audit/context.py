"""Who is acting, from where: the current request, or the command line."""

import contextvars
import ipaddress

from django.conf import settings

_request = contextvars.ContextVar("audit_request", default=None)
_actor = contextvars.ContextVar("audit_actor", default=None)


def current_request():
    return _request.get()


def set_request(request):
    return _request.set(request)


def reset_request(token):
    _request.reset(token)


class acting_as:  # noqa: N801 (used as a context manager, reads like a phrase)
    """`with acting_as("cli:root"): …` — the actor for events recorded outside a request."""

    def __init__(self, actor: str):
        self.actor = actor

    def __enter__(self):
        self.token = _actor.set(self.actor)

    def __exit__(self, *exc):
        _actor.reset(self.token)


def command_actor() -> str | None:
    return _actor.get()


def actor_name(user) -> str:
    """The name a record keeps of who acted (users live in site schemas: a name, not a key)."""
    return getattr(user, "get_username", lambda: "")() or "system"


def client_ip(request) -> str | None:
    """The client's address; X-Forwarded-For only when our own proxy sets it."""
    candidate = ""
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        candidate = forwarded.split(",")[0].strip()
    candidate = candidate or request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None
