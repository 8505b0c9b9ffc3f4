from django import template

from sites.disclosure import services

register = template.Library()


@register.simple_tag
def repealed_among(pages):
    """{% repealed_among page_obj.object_list as repealed %}: ids of repealed documents."""
    return services.repealed_ids(pages or [])
