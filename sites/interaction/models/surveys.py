"""Surveys, hearings, evaluations and solicitations (X5).

One page type: an editor builds the questions (single, multiple, rating, free text) and the
open and close dates. One answer per person, without accounts: a signed cookie per survey
(the same browser cannot answer twice) and a limit per network address (a household or an
office shares one address, so the limit is a number, stated on the page). A solicitation
(意见征集) shows its draft, collects comments, and after closing publishes its feedback
(征集意见反馈): how many comments, which were adopted and why.

Counts are kept in `SurveyTally` as answers arrive (one row per question and option), so a
summary reads a few dozen rows whatever the number of responses; `services.recount` rebuilds
them from the answers.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from shared_blocks.blocks import BodyBlock

from .common import SUBMISSION_PAGE_PARENTS

RATING_SCALE = range(1, 6)


class SurveyPage(RoutablePageMixin, Page):
    class Kind(models.TextChoices):
        SURVEY = "survey", "网上调查"
        HEARING = "hearing", "网上听证"
        EVALUATION = "evaluation", "网上评议"
        SOLICITATION = "solicitation", "意见征集"

    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.SURVEY)
    intro = RichTextField("说明", blank=True, features=["bold", "link", "ol", "ul"])
    draft = StreamField(
        BodyBlock(), verbose_name="征求意见稿", blank=True, help_text="意见征集时展示的草案全文"
    )
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("截止时间")
    per_address_limit = models.PositiveSmallIntegerField(
        "每个网络地址最多提交",
        default=20,
        help_text="同一单位或家庭共用一个网络地址，故允许多份；同一浏览器只能提交一次",
    )
    results_public = models.BooleanField("截止后公开结果", default=True)
    feedback = RichTextField(
        "征集意见反馈",
        blank=True,
        features=["bold", "link", "ol", "ul"],
        help_text="截止后公布：意见总数、采纳情况及理由",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("intro"),
        FieldPanel("draft"),
        MultiFieldPanel(
            [
                FieldPanel("opens_at"),
                FieldPanel("closes_at"),
                FieldPanel("per_address_limit"),
                FieldPanel("results_public"),
            ],
            heading="时间与规则",
        ),
        InlinePanel("questions", label="题目", min_num=1),
        FieldPanel("feedback"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("draft")]
    parent_page_types = SUBMISSION_PAGE_PARENTS
    subpage_types = []
    show_in_menus_default = True  # listed in its 互动交流 column
    library_type = "interaction"

    class Meta:
        verbose_name = "调查征集"

    @property
    def state(self) -> str:
        now = timezone.now()
        if now < self.opens_at:
            return "upcoming"
        if now >= self.closes_at:
            return "closed"
        return "open"

    @property
    def is_solicitation(self) -> bool:
        return self.kind == self.Kind.SOLICITATION

    @path("")
    def index(self, request):
        from ..views import survey_page  # views import the models

        return survey_page(self, request)

    @path("results/")
    def results(self, request):
        from ..views import survey_results

        return survey_results(self, request)


class SurveyQuestion(Orderable):
    class Kind(models.TextChoices):
        SINGLE = "single", "单选"
        MULTIPLE = "multiple", "多选"
        RATING = "rating", "评分（1–5）"
        TEXT = "text", "文字意见"

    page = ParentalKey(SurveyPage, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField("题型", max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    text = models.CharField("题目", max_length=300)
    choices = models.TextField(
        "选项", blank=True, help_text="单选、多选题：每行一个选项；开始收集后请勿删改选项"
    )
    required = models.BooleanField("必答", default=True)

    panels = [FieldPanel("kind"), FieldPanel("text"), FieldPanel("choices"), FieldPanel("required")]

    class Meta(Orderable.Meta):
        verbose_name = "题目"

    def __str__(self):
        return self.text

    @property
    def options(self) -> list[str]:
        if self.kind == self.Kind.RATING:
            return [f"{n} 分" for n in RATING_SCALE]
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class SurveyResponse(models.Model):
    page = models.ForeignKey(SurveyPage, on_delete=models.CASCADE, related_name="responses")
    voter = models.CharField(max_length=40)
    address_key = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "答卷"
        constraints = [
            models.UniqueConstraint(fields=["page", "voter"], name="survey_one_answer_per_voter")
        ]
        indexes = [models.Index(fields=["page", "address_key"])]

    def __str__(self):
        return f"答卷 {self.pk}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    choices = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)
    text = models.TextField(blank=True, max_length=3000)
    # A solicitation's comments: the editor's decision, published in the feedback.
    adopted = models.BooleanField("采纳", null=True, blank=True)
    adoption_note = models.CharField("采纳情况说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "回答"
        indexes = [models.Index(fields=["question", "response"])]

    def __str__(self):
        return self.text[:30] or f"回答 {self.pk}"


class SurveyTally(models.Model):
    """How many answers chose `option` (0-based; a rating's value minus one)."""

    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="tallies")
    option = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "option"], name="survey_tally_unique")
        ]

    def __str__(self):
        return f"{self.question_id}/{self.option}: {self.count}"


class SurveyExport(models.Model):
    """An XLSX export too big to build inside a request (sites.interaction.exports): a task
    writes it to a private file of this site, the admin shows "preparing" and then the link."""

    class Status(models.TextChoices):
        PREPARING = "preparing", "正在生成"
        READY = "ready", "可以下载"
        FAILED = "failed", "生成失败"

    page = models.ForeignKey(SurveyPage, on_delete=models.CASCADE, related_name="exports")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARING)
    requested_by = models.CharField("导出人", max_length=150, blank=True)
    responses = models.PositiveIntegerField("答卷数", default=0)
    # Relative to the site's own export folder (exports.site_root()), never under MEDIA_ROOT.
    path = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "问卷导出"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.page_id} · {self.created_at:%Y-%m-%d %H:%M}"
