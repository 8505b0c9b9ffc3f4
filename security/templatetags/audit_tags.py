import json

from django import template

from security.audit.events import label

register = template.Library()


@register.filter
def event_label(event_type):
    return label(event_type)


@register.filter
def changes_text(changes):
    if not changes:
        return "—"
    return json.dumps(changes, ensure_ascii=False)[:400]
