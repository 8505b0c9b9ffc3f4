"""What every site runs: the home page, columns (栏目), articles, and the site's identity."""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, Page
from wagtail.search import index

from shared_blocks.blocks import BodyBlock

ARTICLES_PER_PAGE = 20
HOME_ITEMS_PER_COLUMN = 6


class HomePage(Page):
    """A site's home page: its legal name, a tagline, and the latest items of its columns."""

    motto = models.CharField("标语", max_length=60, blank=True)
    intro = RichTextField("简介", blank=True, features=["bold", "link"])

    content_panels = [*Page.content_panels, FieldPanel("motto"), FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["core.ColumnPage", "services.ServicesIndexPage"]
    max_count_per_parent = 1
    library_exclude = True  # navigation, not an item a reader searches for

    @classmethod
    def of_site(cls) -> "HomePage":
        """The current site's home page. A site with English or Mongolian versions has a
        translated home page per language (wagtail-localize): this is the one in the default
        language, the root of the Chinese site."""
        return cls.objects.get(locale=Locale.get_default())

    class Meta:
        verbose_name = "首页"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        columns = list(self.get_children().live().in_menu().specific().order_by("path"))
        # Channels (sites.welfare) sit in the menu beside the columns but are not columns.
        featured = [
            c for c in columns if getattr(c, "column_type", None) in ColumnPage.LISTED_ON_HOME
        ]
        # One query for every column's latest items, grouped here, instead of a query per column.
        latest = (
            ArticlePage.objects.live()
            .public()
            .descendant_of(self)
            .filter(depth=self.depth + 2)
            .order_by("-date", "-pk")
            .only("title", "date", "path", "url_path", "depth")[: HOME_ITEMS_PER_COLUMN * 12]
        )
        by_column = {}
        for article in latest:
            items = by_column.setdefault(article.path[: -Page.steplen], [])
            if len(items) < HOME_ITEMS_PER_COLUMN:
                items.append(article)
        context["column_blocks"] = [(c, by_column.get(c.path, [])) for c in featured]
        return context


class ColumnPage(Page):
    """A column (栏目): a titled list of articles, e.g. 工作动态 or 通知公告."""

    class ColumnType(models.TextChoices):
        NEWS = "news", "动态要闻"
        NOTICES = "notices", "通知公告"
        DISCLOSURE = "disclosure", "政府信息公开"
        POLICY = "policy", "政策文件"
        INTERPRETATION = "interpretation", "政策解读"
        SERVICES = "services", "办事服务"
        INTERACTION = "interaction", "互动交流"
        TOPICS = "topics", "专题专栏"
        ORGANISATION = "organisation", "机构职能"
        GENERAL = "general", "其他"

    LISTED_ON_HOME = {
        ColumnType.NEWS,
        ColumnType.NOTICES,
        ColumnType.POLICY,
        ColumnType.INTERPRETATION,
    }

    column_type = models.CharField(
        "栏目类型",
        max_length=20,
        choices=ColumnType.choices,
        default=ColumnType.GENERAL,
        help_text="决定栏目在首页的展示和更新检查的周期",
    )
    intro = models.TextField("栏目说明", blank=True, max_length=500)

    content_panels = [*Page.content_panels, FieldPanel("column_type"), FieldPanel("intro")]
    library_exclude = True  # navigation, not an item a reader searches for
    parent_page_types = ["core.HomePage", "core.ColumnPage"]
    subpage_types = [
        "core.ArticlePage",
        "core.ColumnPage",
        # government information (sites.disclosure)
        "disclosure.DisclosureArticlePage",
        "disclosure.PolicyDocumentPage",
        "disclosure.PolicyInterpretationPage",
        "disclosure.StatisticsReleasePage",
        "disclosure.LeaderProfilePage",
        "disclosure.OrganisationPage",
        "disclosure.EmergencyInformationPage",
        "disclosure.CataloguePage",
        "disclosure.TopicPage",
        # public-welfare channels (sites.welfare)
        "welfare.AgriculturePage",
        "welfare.InvestmentNoticePage",
        "welfare.ThemeChannelPage",
        # interaction with the public (sites.interaction)
        "interaction.MessageBoardPage",
        "interaction.SurveyPage",
        "interaction.InterviewPage",
        "interaction.ConsultationPage",
        "interaction.FaqPage",
    ]

    class Meta:
        verbose_name = "栏目"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = (
            ArticlePage.objects.child_of(self)
            .live()
            .public()
            .order_by("-date", "-pk")
            .only("title", "date", "url_path", "path", "depth", "summary")
        )
        paginator = Paginator(articles, ARTICLES_PER_PAGE)
        try:
            page_obj = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            page_obj = paginator.page(1)
        except EmptyPage:
            page_obj = paginator.page(paginator.num_pages)
        context["page_obj"] = page_obj
        # sub-columns and other navigable pages (the disclosure catalogue, topics); not articles
        # (a join on the article table, not not_type(): that costs a content-type query)
        context["subcolumns"] = (
            self.get_children().live().in_menu().filter(articlepage__isnull=True)
        )
        return context


class ArticlePage(Page):
    """An article: news, a notice, a policy text. Title, date, source, body, attachments."""

    date = models.DateField("发布日期")
    source = models.CharField(
        "来源", max_length=100, blank=True, help_text="发布机构，如“海勃湾区人民政府办公室”"
    )
    summary = models.TextField("摘要", blank=True, max_length=300)
    body = StreamField(BodyBlock(), verbose_name="正文", blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("date"), FieldPanel("source")], heading="发布信息"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["core.ColumnPage"]
    subpage_types = []

    class Meta:
        verbose_name = "文章"
        indexes = [models.Index(fields=["-date"], name="article_date_idx")]


@register_setting(icon="site")
class SiteIdentity(BaseSiteSetting):
    """A site's own identity within the shared design (P4, V3)."""

    class Theme(models.TextChoices):
        RED = "red", "中国红"
        BLUE = "blue", "政务蓝"
        GREEN = "green", "生态绿"
        TEAL = "teal", "青绿"

    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="网站标志",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    theme = models.CharField("主题色", max_length=10, choices=Theme.choices, default=Theme.RED)
    footer_note = models.CharField(
        "页脚附注", max_length=200, blank=True, help_text="如“建议使用1280×800以上分辨率浏览”"
    )
    office_hours = models.CharField("办公时间", max_length=100, blank=True)

    panels = [
        FieldPanel("logo"),
        FieldPanel("theme"),
        FieldPanel("footer_note"),
        FieldPanel("office_hours"),
    ]

    class Meta:
        verbose_name = "网站标识"
