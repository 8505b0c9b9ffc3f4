from django import template

from sites.disclosure import services

register = template.Library()


@register.simple_tag
def repealed_among(pages):
    """{% repealed_among page_obj.object_list as repealed %}: ids of repealed documents."""
    return services.repealed_ids(pages or [])


@register.simple_tag
def repealed_in_column_blocks(column_blocks):
    """The home page's [(column, articles), …]: repealed ids among all of them, one query."""
    return services.repealed_ids([a for _column, articles in column_blocks for a in articles])
