"""The message board (留言板, X2): posts are held until a moderator approves them (严格审理)."""

from django.core.paginator import Paginator
from django.db import models
from django.template.response import TemplateResponse
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Page

from .common import SUBMISSION_PAGE_PARENTS, Moderation

POSTS_PER_PAGE = 20


class MessageBoardPage(RoutablePageMixin, Page):
    """A board: the approved posts with their replies, and a form to write one."""

    intro = models.TextField("简介", blank=True, max_length=500)
    rules = models.TextField(
        "留言须知",
        blank=True,
        max_length=1000,
        default="留言经审核后公开。请勿发布违法、广告、涉及他人隐私的内容；联系方式不公开。",
    )
    daily_limit_per_address = models.PositiveSmallIntegerField(
        "每个网络地址每天最多留言", default=5
    )
    daily_limit_per_contact = models.PositiveSmallIntegerField(
        "每个联系方式每天最多留言", default=3
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("rules"),
        MultiFieldPanel(
            [FieldPanel("daily_limit_per_address"), FieldPanel("daily_limit_per_contact")],
            heading="防刷限制",
        ),
    ]
    parent_page_types = SUBMISSION_PAGE_PARENTS
    subpage_types = []
    show_in_menus_default = True  # listed in its 互动交流 column
    library_type = "interaction"

    class Meta:
        verbose_name = "留言板"

    def library_projection(self):
        # Only the board's own words enter the library and search: posts are the public's,
        # shown on the page once approved, never indexed (a later withdrawal must not linger).
        return {"text": self.intro, "summary": self.intro[:200]}

    @path("")
    def index(self, request):
        posts = (
            self.posts.filter(status=Moderation.APPROVED)
            .order_by("-approved_at", "-pk")
            .only("subject", "content", "author_name", "created_at", "reply", "replied_at")
        )
        page_obj = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
        return self.render(request, context_overrides={"page_obj": page_obj})

    @path("write/")
    def write(self, request):
        from ..forms import BoardPostForm  # forms import the models
        from ..services import SubmissionRefused, submit_post

        form = BoardPostForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                post = submit_post(self, request, **form.cleaned_data)
            except SubmissionRefused as refused:
                form.add_error(None, str(refused))
            else:
                return TemplateResponse(
                    request,
                    "interaction/submitted.html",
                    {"page": self, "what": "留言", "number": post.pk, "back": self.url},
                )
        return TemplateResponse(
            request, "interaction/board_write.html", {"page": self, "form": form}
        )


class BoardPost(models.Model):
    """One post. Contact and address are never shown publicly."""

    board = models.ForeignKey(MessageBoardPage, on_delete=models.CASCADE, related_name="posts")
    subject = models.CharField("标题", max_length=100)
    content = models.TextField("内容", max_length=2000)
    author_name = models.CharField("称呼", max_length=30, blank=True)
    contact = models.CharField("联系方式", max_length=100)
    contact_key = models.CharField(max_length=100, db_index=True)
    address_key = models.CharField(max_length=40, db_index=True)
    status = models.CharField(
        "状态", max_length=10, choices=Moderation.choices, default=Moderation.HELD
    )
    screen_hits = models.JSONField("筛查提示", default=list, blank=True)
    reply = models.TextField("答复", blank=True, max_length=4000)
    replied_by = models.CharField("答复单位", max_length=100, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField("不予公开理由", max_length=200, blank=True)
    moderated_by = models.CharField(max_length=150, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "留言"
        verbose_name_plural = "留言"
        permissions = [("moderate_interaction", "审理互动内容（留言、提问、咨询）")]
        indexes = [models.Index(fields=["board", "status", "-approved_at"])]

    def __str__(self):
        return self.subject

    @property
    def public_name(self) -> str:
        return self.author_name or "网友"
