from django import template

from security.csp import current_nonce

register = template.Library()


@register.simple_tag
def csp_nonce() -> str:
    """The CSP nonce of the request being served, for an inline <script nonce="…">: works in
    templates rendered without the request (form widgets)."""
    return current_nonce()
