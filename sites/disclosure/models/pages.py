"""Pages that gather disclosure items: the catalogue (政府信息公开目录) and topics (专题)."""

from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, PageChooserPanel
from wagtail.models import Orderable, Page, Site

from sites.core.models import ArticlePage


class CataloguePage(Page):
    """The site's disclosure catalogue: every disclosure item on the site, filterable."""

    intro = models.TextField("说明", blank=True, max_length=500)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["core.ColumnPage"]
    subpage_types = []
    max_count = 1
    library_exclude = True  # navigation (a list of the site's items), not an item itself

    class Meta:
        verbose_name = "政府信息公开目录"

    def get_context(self, request, *args, **kwargs):
        from sites.disclosure.services import browse_catalogue  # services imports models

        context = super().get_context(request, *args, **kwargs)
        # the request's Site is already looked up (and cached on the request) by routing
        site = Site.find_for_request(request) or self.get_site()
        context.update(browse_catalogue(request.GET, site_root=site.root_page))
        return context


class TopicPage(Page):
    """A topic (专题): an introduction and a curated set of items from anywhere on the site."""

    intro = models.TextField("专题介绍", blank=True, max_length=1000)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel("items", heading="专题内容", label="条目"),
    ]
    parent_page_types = ["core.ColumnPage"]
    subpage_types = [
        "core.ArticlePage",
        "disclosure.DisclosureArticlePage",
        "disclosure.PolicyDocumentPage",
        "disclosure.PolicyInterpretationPage",
    ]

    class Meta:
        verbose_name = "专题"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        chosen = [item.page_id for item in self.items.all()]
        pages = {p.pk: p for p in ArticlePage.objects.live().public().filter(pk__in=chosen)}
        curated = [pages[pk] for pk in chosen if pk in pages]
        children = list(ArticlePage.objects.child_of(self).live().public().order_by("-date"))
        context["topic_items"] = curated + [p for p in children if p.pk not in pages]
        return context


class TopicItem(Orderable):
    topic = ParentalKey(TopicPage, on_delete=models.CASCADE, related_name="items")
    page = models.ForeignKey(
        "core.ArticlePage", verbose_name="信息", on_delete=models.CASCADE, related_name="+"
    )

    panels = [PageChooserPanel("page")]

    class Meta(Orderable.Meta):
        verbose_name = "专题条目"
