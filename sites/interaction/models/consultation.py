"""Consultation (咨询, X3): questions to a department answered in its admin; and the hot
questions (热点解答), an FAQ page per topic, searchable across sites through the library."""

from django.core.paginator import Paginator
from django.db import models
from django.template.response import TemplateResponse
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from .common import SUBMISSION_PAGE_PARENTS

ANSWERS_PER_PAGE = 20


class ConsultationPage(RoutablePageMixin, Page):
    intro = models.TextField("简介", blank=True, max_length=500)
    daily_limit_per_address = models.PositiveSmallIntegerField(
        "每个网络地址每天最多咨询", default=5
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("daily_limit_per_address"),
    ]
    parent_page_types = SUBMISSION_PAGE_PARENTS
    subpage_types = []
    show_in_menus_default = True  # listed in its 互动交流 column
    library_type = "interaction"

    class Meta:
        verbose_name = "在线咨询"

    def library_projection(self):
        return {"text": self.intro}

    @path("")
    def index(self, request):
        answered = self.consultations.filter(
            status=Consultation.Status.ANSWERED, public=True
        ).order_by("-answered_at", "-pk")
        page_obj = Paginator(answered, ANSWERS_PER_PAGE).get_page(request.GET.get("page"))
        return self.render(request, context_overrides={"page_obj": page_obj})

    @path("ask/")
    def ask(self, request):
        from ..forms import ConsultationForm  # forms import the models
        from ..services import SubmissionRefused, submit_consultation

        form = ConsultationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                item = submit_consultation(self, request, **form.cleaned_data)
            except SubmissionRefused as refused:
                form.add_error(None, str(refused))
            else:
                return TemplateResponse(
                    request,
                    "interaction/submitted.html",
                    {"page": self, "what": "咨询", "number": item.pk, "back": self.url},
                )
        return TemplateResponse(
            request, "interaction/consultation_ask.html", {"page": self, "form": form}
        )


class Consultation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待答复"
        ANSWERED = "answered", "已答复"
        REJECTED = "rejected", "不予受理"

    page = models.ForeignKey(
        ConsultationPage, on_delete=models.CASCADE, related_name="consultations"
    )
    subject = models.CharField("标题", max_length=100)
    content = models.TextField("内容", max_length=2000)
    author_name = models.CharField("称呼", max_length=30, blank=True)
    contact = models.CharField("联系方式", max_length=100)
    address_key = models.CharField(max_length=40, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    screen_hits = models.JSONField(default=list, blank=True)
    answer = models.TextField("答复", blank=True, max_length=4000)
    answered_by = models.CharField(max_length=150, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    public = models.BooleanField("答复后公开", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "咨询"

    def __str__(self):
        return self.subject


class FaqItemBlock(blocks.StructBlock):
    """One hot question and its answer."""

    question = blocks.CharBlock(label="问题", max_length=200)
    answer = blocks.RichTextBlock(label="解答", features=["bold", "link", "ol", "ul"])

    class Meta:
        icon = "help"
        label = "问答"
        template = "interaction/blocks/faq_item.html"
        description = "一个热点问题及其解答"
        preview_value = {
            "question": "如何办理居住证？",
            "answer": "<p>携带身份证到派出所办理。</p>",
        }


class FaqPage(Page):
    """热点解答: the popular questions of one topic, curated from consultations."""

    topic = models.CharField("主题", max_length=60, help_text="如“社保”“户籍”“不动产登记”")
    intro = models.TextField("简介", blank=True, max_length=500)
    items = StreamField([("item", FaqItemBlock())], verbose_name="问答", blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("topic"),
        FieldPanel("intro"),
        FieldPanel("items"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("items")]
    parent_page_types = SUBMISSION_PAGE_PARENTS
    subpage_types = []
    show_in_menus_default = True  # listed in its 互动交流 column
    library_type = "interaction"

    class Meta:
        verbose_name = "热点解答"

    def library_projection(self):
        # Searchable across sites as 互动交流, filed under its topic.
        return {"category": f"热点解答·{self.topic}", "summary": self.intro[:200]}
