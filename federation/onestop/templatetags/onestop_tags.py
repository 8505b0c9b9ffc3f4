from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """mapping[key] in a template (a row's counts by level)."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""
