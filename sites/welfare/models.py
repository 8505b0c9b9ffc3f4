"""Agricultural information feeds (W2) and their channel page; investment notices (W3)."""

import datetime

from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page


class FeedSource(models.Model):
    """A configurable feed (JSON, CSV or RSS over HTTP) the site imports on a schedule."""

    class Kind(models.TextChoices):
        KNOWLEDGE = "knowledge", "农业技术知识"
        WEATHER = "weather", "天气预报"
        PRICE = "price", "农产品和农资价格"
        WARNING = "warning", "灾害预警"

    class Format(models.TextChoices):
        JSON = "json", "JSON"
        CSV = "csv", "CSV"
        RSS = "rss", "RSS"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("内容", max_length=20, choices=Kind.choices)
    format = models.CharField("格式", max_length=10, choices=Format.choices)
    url = models.URLField("地址", max_length=500, help_text="http:// 或 https:// 开头的数据地址")
    enabled = models.BooleanField("启用", default=True)
    interval_minutes = models.PositiveIntegerField("导入间隔（分钟）", default=60)
    stale_after_hours = models.PositiveIntegerField(
        "数据过期提醒（小时）",
        default=24,
        help_text="超过这么久没有成功导入，频道页和后台提醒数据已过期",
    )
    warning_drafts = models.BooleanField(
        "预警生成突发事件信息草稿",
        default=False,
        help_text="灾害预警：每条新预警生成一篇“突发事件信息”草稿，经紧急发布后可显示全市预警横幅",
    )
    last_attempt_at = models.DateTimeField("最近尝试", null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField("最近成功", null=True, blank=True, editable=False)
    last_error = models.TextField("最近错误", blank=True, editable=False)
    last_count = models.PositiveIntegerField("条数", default=0, editable=False)

    panels = [
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("format"),
        FieldPanel("url"),
        FieldPanel("enabled"),
        FieldPanel("interval_minutes"),
        FieldPanel("stale_after_hours"),
        FieldPanel("warning_drafts"),
    ]

    class Meta:
        verbose_name = "农业信息数据源"
        verbose_name_plural = "农业信息数据源"
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    @property
    def is_stale(self) -> bool:
        if self.last_success_at is None:
            return True
        return timezone.now() - self.last_success_at > datetime.timedelta(
            hours=self.stale_after_hours
        )

    @property
    def failing(self) -> bool:
        return bool(self.last_error)

    def is_due(self, now=None) -> bool:
        now = now or timezone.now()
        return self.last_attempt_at is None or now - self.last_attempt_at >= datetime.timedelta(
            minutes=self.interval_minutes
        )


class FeedRecord(models.Model):
    """One item of the last good import of a source (replaced as a whole by the next one)."""

    source = models.ForeignKey(FeedSource, on_delete=models.CASCADE, related_name="records")
    key = models.CharField(max_length=200)
    title = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True)
    link = models.URLField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="welfare_record_unique")
        ]
        ordering = ["-published_at", "key"]

    def __str__(self):
        return self.title or self.key


class AgriculturePage(Page):
    """The agricultural information channel: warnings, weather, prices with trend charts and
    technical knowledge, from the site's feeds (each section says how old its data is)."""

    intro = models.TextField("频道说明", blank=True, max_length=500)
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    library_exclude = True  # a channel of imported data, not an item
    parent_page_types = ["core.HomePage", "core.ColumnPage"]
    subpage_types = []

    class Meta:
        verbose_name = "农业信息频道"

    def get_context(self, request, *args, **kwargs):
        from .channel import channel_context

        context = super().get_context(request, *args, **kwargs)
        context.update(channel_context())
        return context


class InvestmentNoticePage(Page):
    """招商引资 and 项目推介: an investment or trade notice (W3)."""

    class Category(models.TextChoices):
        INVESTMENT = "investment", "招商引资"
        PROJECT = "project", "项目推介"
        TRADE = "trade", "经贸活动"

    category = models.CharField("类别", max_length=20, choices=Category.choices)
    date = models.DateField("发布日期", default=datetime.date.today)
    industry = models.CharField("产业领域", max_length=100, blank=True)
    location = models.CharField("项目地点", max_length=200, blank=True)
    investment = models.CharField("投资规模", max_length=100, blank=True, help_text="如：5亿元")
    summary = models.TextField("摘要", blank=True, max_length=300)
    body = RichTextField("正文", blank=True)
    contact = models.CharField("联系方式", max_length=200, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("category"),
                FieldPanel("date"),
                FieldPanel("industry"),
                FieldPanel("location"),
                FieldPanel("investment"),
                FieldPanel("contact"),
                FieldPanel("valid_until"),
            ],
            heading="项目信息",
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    parent_page_types = ["core.ColumnPage"]
    subpage_types = []

    class Meta:
        verbose_name = "招商引资与项目推介"

    def library_projection(self) -> dict:
        return {
            "item_type": "notice",
            "category": self.get_category_display(),
            "summary": self.summary,
            "commerce": self.category,
            "industry": self.industry,
            "investment": self.investment,
        }


class Theme(models.TextChoices):
    EDUCATION = "education", "教育"
    SCIENCE = "science", "科技"
    CULTURE = "culture", "文化"
    HEALTH = "health", "卫生健康"
    SOCIAL_SECURITY = "social_security", "社会保障"
    UTILITIES = "utilities", "公用事业"
    COMMERCE = "commerce", "招商引资与经贸"


class ThemeTag(models.Model):
    """An item (or a whole column: every item under it) belongs to a theme channel. Read when
    the item is projected into the library, so a tag counts from the item's next publish."""

    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+", verbose_name="信息或栏目"
    )
    theme = models.CharField("主题", max_length=20, choices=Theme.choices)

    panels = [FieldPanel("page"), FieldPanel("theme")]

    class Meta:
        verbose_name = "主题标签"
        verbose_name_plural = "主题标签"
        constraints = [
            models.UniqueConstraint(fields=["page", "theme"], name="welfare_theme_tag_unique")
        ]

    def __str__(self):
        return f"{self.get_theme_display()}：{self.page.title}"


class ThemeLink(Orderable):
    channel = ParentalKey(
        "welfare.ThemeChannelPage", related_name="links", on_delete=models.CASCADE
    )
    title = models.CharField("标题", max_length=100)
    url = models.URLField("网址", max_length=500)
    note = models.CharField("说明", max_length=200, blank=True)

    panels = [FieldPanel("title"), FieldPanel("url"), FieldPanel("note")]


class ThemeChannelPage(Page):
    """A theme channel (W1, W3): the items every site tags with the theme, read from the
    resource library (never another site's schema), and curated links."""

    theme = models.CharField("主题", max_length=20, choices=Theme.choices)
    intro = models.TextField("频道说明", blank=True, max_length=500)
    content_panels = [
        *Page.content_panels,
        FieldPanel("theme"),
        FieldPanel("intro"),
        InlinePanel("links", label="推荐链接"),
    ]
    library_exclude = True
    parent_page_types = ["core.HomePage", "core.ColumnPage"]
    subpage_types = []

    class Meta:
        verbose_name = "主题频道"

    def get_context(self, request, *args, **kwargs):
        from django.conf import settings
        from django.utils.module_loading import import_string

        context = super().get_context(request, *args, **kwargs)
        source = import_string(settings.WELFARE_THEME_ITEMS)
        context["items"] = source("themes", self.theme, 30)
        return context
