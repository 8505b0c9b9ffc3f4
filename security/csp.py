"""Content Security Policy: which policy a response gets, and the request's nonce for templates
that are rendered without the request.

django-csp builds the header and the per-request nonce (`request.csp_nonce`; the nonce goes
into the header only when a template used it). Three areas, three policies (settings):
public pages and the console get CONTENT_SECURITY_POLICY (scripts from our own origin, plus a
nonce for an inline script a template marks); a site's Wagtail admin gets
ADMIN_CONTENT_SECURITY_POLICY, which adds what Wagtail's admin needs (see the setting).

Wagtail renders its date/time widgets and inline panels with a small inline `<script>`; form
widgets are rendered without the request in their context, so our overrides of those templates
(security/templates/wagtailadmin/) ask `{% csp_nonce %}`, which reads the nonce of the request
being served from here.
"""

from contextvars import ContextVar

_current_nonce: ContextVar = ContextVar("csp_nonce", default=None)


def bind(request):
    """Make `request`'s nonce the one templates of this request get; returns a reset token."""
    return _current_nonce.set(request.csp_nonce)


def release(token) -> None:
    _current_nonce.reset(token)


def current_nonce() -> str:
    """The nonce of the request being served ('' outside a request: the script is then refused,
    never allowed by a stale or empty nonce)."""
    nonce = _current_nonce.get()
    return str(nonce) if nonce is not None else ""
