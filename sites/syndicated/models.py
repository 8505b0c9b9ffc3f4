"""A copy of another site's item, shown on this site with its provenance (F1, O2).

A `SyndicatedPage` is made and kept up to date only by `federation.syndication` (its
`deliver` task, in this site's schema). It is an `ArticlePage`, so columns and the home page
list it like any article; its body is the source's body rendered to HTML, with every link
absolute to the source site. It never enters the resource library itself (`library_exclude`):
the library keeps one item per original, and the copy's canonical link points there.
"""

from django.db import models
from wagtail.admin.panels import FieldPanel

from sites.core.models import ArticlePage


class SyndicatedPage(ArticlePage):
    class Origin(models.TextChoices):
        OFFER = "offer", "报送采用"
        SUBSCRIPTION = "subscription", "栏目共建"
        PUSH_DOWN = "push_down", "上级下发"

    # The library item key of the original ("<schema>:<uuid>"): one copy per original.
    syndication_key = models.CharField("原文条目键", max_length=100, unique=True)
    source_site_name = models.CharField("原文网站", max_length=100)
    source_url = models.URLField("原文地址", max_length=500)
    body_html = models.TextField("正文（来自原文）", blank=True)
    library_version = models.BigIntegerField("原文版本", default=0)
    origin = models.CharField("转载方式", max_length=20, choices=Origin.choices)
    mandatory = models.BooleanField("必须转载", default=False)

    library_exclude = True  # a copy is not a library item of its own
    is_creatable = False  # made by syndication only, never by hand
    parent_page_types = ["core.ColumnPage"]
    subpage_types = []
    content_panels = [
        FieldPanel("title", read_only=True),
        FieldPanel("source_site_name", read_only=True),
        FieldPanel("source_url", read_only=True),
    ]

    class Meta:
        verbose_name = "转载信息"

    def get_template(self, request, *args, **kwargs):
        return "syndicated/syndicated_page.html"
