from django import template

from ..broadcasts import live_broadcasts
from ..models import WarningLevel

register = template.Library()
LEVEL_WORDS = dict(WarningLevel.choices)


@register.inclusion_tag("syndication/broadcast_banner.html")
def broadcast_banner():
    """The city-wide emergency notices live now, for base.html's banner block (I5): each one
    line, its level by colour and in words, the whole line a link to the item."""
    return {
        "broadcasts": [
            {**b, "level_words": LEVEL_WORDS.get(b["level"], "紧急通知")} for b in live_broadcasts()
        ]
    }
