from django.urls import reverse
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from security.roles import is_webmaster
from sites.core.todos import TODO_HOOK, Todo

from .models import FeedSource, ThemeTag


class FeedSourceViewSet(SnippetViewSet):
    model = FeedSource
    icon = "download"
    menu_label = "农业信息数据源"
    menu_order = 770
    add_to_admin_menu = False
    list_display = ["name", "kind", "format", "enabled", "last_success_at", "last_error"]


register_snippet(FeedSourceViewSet)


class ThemeTagViewSet(SnippetViewSet):
    model = ThemeTag
    icon = "tag"
    menu_label = "主题标签"
    list_display = ["page", "theme"]
    list_filter = ["theme"]


register_snippet(ThemeTagViewSet)


@hooks.register(TODO_HOOK)
def failing_feeds(request):
    """The webmaster's dashboard: feeds whose last import failed or whose data is stale."""
    if not is_webmaster(request.user):
        return []
    sources = [s for s in FeedSource.objects.filter(enabled=True) if s.failing or s.is_stale]
    if not sources:
        return []
    names = "、".join(s.name for s in sources[:3])
    return [
        Todo(
            f"农业信息数据源更新失败或数据已过期：{names}",
            len(sources),
            reverse(FeedSourceViewSet().get_url_name("list")),
        )
    ]
