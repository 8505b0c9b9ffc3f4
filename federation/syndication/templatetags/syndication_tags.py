from django import template

from ..broadcasts import live_broadcasts

register = template.Library()


@register.inclusion_tag("syndication/broadcast_banner.html")
def broadcast_banner():
    """The city-wide emergency notices live now, for base.html's banner block (I5)."""
    return {"broadcasts": live_broadcasts()}
