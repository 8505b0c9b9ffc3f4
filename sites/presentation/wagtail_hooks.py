from django.contrib import messages
from wagtail import hooks
from wagtail.models import Site

from .navigation import max_depth_for, too_deep_under


@hooks.register("before_create_page")
def warn_when_too_deep(request, parent_page, page_class):
    """A warning, not a refusal: the editor decides, knowing readers need many clicks."""
    if request.method != "GET":
        return None
    site = parent_page.get_site() or Site.find_for_request(request)
    clicks = too_deep_under(parent_page, site)
    if clicks is not None:
        messages.warning(
            request,
            f"新页面距首页需要点击 {clicks} 次，超过本站设定的 {max_depth_for(site)} 次"
            "（设置 → 展示设置 → 栏目最大层级）。层级过深，群众不易找到："
            "建议放在上一级栏目中，或在首页、栏目页加入口。",
        )
    return None
