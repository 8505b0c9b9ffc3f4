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
being served from here. Its chooser widgets build theirs in Python: see
nonce_for_chooser_scripts.
"""

import functools
from contextvars import ContextVar

from django.utils.html import escape
from django.utils.safestring import mark_safe

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


def nonce_for_chooser_scripts() -> None:
    """Give Wagtail's chooser widgets' start-up script the nonce (called once, from AppConfig).

    Page, image, document, snippet and task choosers used as form fields (a site's logo, a
    page's "superseded by" link, a workflow's tasks) end their HTML with an inline script built
    in Python, out of reach of a template override: wagtail/admin/widgets/chooser.py,
    `BaseChooser.render` → `f"{widget_html}<script>{js}</script>"`. The last `<script>` of that
    output is that one (the widget's own HTML comes from an autoescaped template), so it alone
    gets the nonce.
    """
    # ready() calls this: Wagtail's admin widgets import models, not loaded at import time here
    from wagtail.admin.widgets.chooser import BaseChooser

    original = BaseChooser.render
    if getattr(original, "adds_csp_nonce", False):
        return

    @functools.wraps(original)
    def render(self, *args, **kwargs):
        html = original(self, *args, **kwargs)
        head, tag, tail = str(html).rpartition("<script>")
        if not tag:
            return html
        # Wagtail's own safe output, with one attribute added.
        return mark_safe(f'{head}<script nonce="{escape(current_nonce())}">{tail}')  # noqa: S308

    render.adds_csp_nonce = True
    BaseChooser.render = render
