from django import template
from django.utils.safestring import mark_safe

from shared_blocks.sanitize import clean_body_html

register = template.Library()


@register.filter
def clean_body(html):
    """A copy's body, cleaned again as it is shown: whatever reached the row (an old copy, a
    write below syndication) shows only the markup our blocks produce."""
    return mark_safe(clean_body_html(html or ""))  # noqa: S308 - cleaned by nh3 just above
