"""Online interviews (在线访谈, X4): the page, its guests, the public's questions and the
live transcript that visitors' browsers poll (`transcript/`, conditional requests)."""

from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from shared_blocks.blocks import BodyBlock

from .common import SUBMISSION_PAGE_PARENTS, Moderation


class InterviewPage(RoutablePageMixin, Page):
    starts_at = models.DateTimeField("访谈开始")
    ends_at = models.DateTimeField("访谈结束")
    summary = models.TextField("内容摘要", blank=True, max_length=1000)
    accepting_questions = models.BooleanField(
        "接受网友提问", default=True, help_text="访谈前和访谈中接受提问；结束后自动停止"
    )
    documents = StreamField(BodyBlock(), verbose_name="相关文件与图片", blank=True)
    # The live transcript's poll is kept in the page cache and purged with the page
    # (pagecache.policy.served_page_path): 200 viewers polling cost no rendering.
    pagecache_subpaths = ("transcript/",)
    # Bumped whenever the transcript changes: the poll's ETag, no transcript query needed.
    transcript_version = models.PositiveIntegerField(default=0, editable=False)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("starts_at"), FieldPanel("ends_at")], heading="时间"),
        FieldPanel("summary"),
        FieldPanel("accepting_questions"),
        InlinePanel("guests", label="嘉宾"),
        FieldPanel("documents"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary")]
    parent_page_types = SUBMISSION_PAGE_PARENTS
    subpage_types = []
    show_in_menus_default = True  # listed in its 互动交流 column
    library_type = "interaction"

    class Meta:
        verbose_name = "在线访谈"

    @property
    def state(self) -> str:
        now = timezone.now()
        if now < self.starts_at:
            return "upcoming"
        if now >= self.ends_at:
            return "archived"
        return "live"

    @property
    def takes_questions(self) -> bool:
        return self.accepting_questions and self.state != "archived"

    def library_projection(self):
        # The archive is searchable by its summary and transcript.
        lines = self.transcript.order_by("pk").values_list("speaker", "text")
        text = " ".join(f"{speaker}：{line}" for speaker, line in lines)
        return {"text": f"{self.summary} {text}".strip(), "summary": self.summary[:200]}

    @path("")
    def index(self, request):
        return self.render(request)

    @path("ask/")
    def ask(self, request):
        from ..views import interview_ask  # views import the models

        return interview_ask(self, request)

    @path("transcript/")
    def transcript_json(self, request):
        from ..views import interview_transcript

        return interview_transcript(self, request)


class InterviewGuest(Orderable):
    page = ParentalKey(InterviewPage, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField("姓名", max_length=30)
    role = models.CharField("职务", max_length=100, blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="照片",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [FieldPanel("name"), FieldPanel("role"), FieldPanel("photo")]

    def __str__(self):
        return self.name


class InterviewQuestion(models.Model):
    page = models.ForeignKey(InterviewPage, on_delete=models.CASCADE, related_name="questions")
    author_name = models.CharField("称呼", max_length=30, blank=True)
    content = models.TextField("问题", max_length=1000)
    address_key = models.CharField(max_length=40, db_index=True)
    status = models.CharField(max_length=10, choices=Moderation.choices, default=Moderation.HELD)
    screen_hits = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "网友提问"

    def __str__(self):
        return self.content[:30]

    @property
    def public_name(self) -> str:
        return self.author_name or "网友"


class TranscriptEntry(models.Model):
    class Role(models.TextChoices):
        HOST = "host", "主持人"
        GUEST = "guest", "嘉宾"
        NETIZEN = "netizen", "网友"

    page = models.ForeignKey(InterviewPage, on_delete=models.CASCADE, related_name="transcript")
    role = models.CharField(max_length=10, choices=Role.choices)
    speaker = models.CharField("发言人", max_length=60)
    text = models.TextField("内容", max_length=5000)
    question = models.OneToOneField(
        InterviewQuestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="entry"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "文字实录"
        ordering = ["pk"]

    def __str__(self):
        return f"{self.speaker}：{self.text[:30]}"
