"""Mailboxes and what a letter, a 找错 report or a disclosure request adds to its case."""

from django.db import models

from federation.casework.models import Case
from tenants.models import Website

LETTER, ERROR_REPORT, DISCLOSURE_REQUEST = "letter", "zhaocuo", "ysqgk"
# kind → (label, 受理编号 prefix, the case machine's actions it keeps)
KINDS = {
    LETTER: (
        "来信",
        "XX",
        [
            "accept",
            "refuse",
            "start",
            "answer",
            "route",
            "return_routing",
            "send_back",
            "extend",
            "complete",
        ],
    ),
    ERROR_REPORT: (
        "网站找错",
        "ZC",
        ["accept", "refuse", "answer", "route", "return_routing", "send_back", "complete"],
    ),
    DISCLOSURE_REQUEST: (
        "依申请公开",
        "YSQ",
        [
            "accept",
            "request_supplement",
            "answer_supplement",
            "refuse",
            "start",
            "answer",
            "route",
            "return_routing",
            "send_back",
            "extend",
            "complete",
        ],
    ),
}
ERROR_REPORT_WORKING_DAYS = 3
DISCLOSURE_WORKING_DAYS = 20  # 《政府信息公开条例》第三十三条
DISCLOSURE_EXTENSION_DAYS = 20


class Mailbox(models.Model):
    """A mailbox on a site: the mayor's and the supervision mailbox on the portal, the head's
    mailbox on every other site."""

    class Kind(models.TextChoices):
        MAYOR = "mayor", "市长信箱"
        SUPERVISION = "supervision", "监督信箱"
        HEAD = "head", "领导信箱"

    site = models.ForeignKey(Website, on_delete=models.CASCADE, related_name="mailboxes")
    slug = models.SlugField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField("名称", max_length=40)
    intro = models.TextField("说明", blank=True, max_length=500)
    categories = models.TextField(
        "来信类别", default="咨询\n建议\n投诉\n求助\n其他", help_text="每行一个"
    )
    deadline_working_days = models.PositiveSmallIntegerField("答复时限（工作日）", default=10)
    active = models.BooleanField("开放", default=True)

    class Meta:
        verbose_name = "信箱"
        constraints = [
            models.UniqueConstraint(fields=["site", "slug"], name="mailbox_slug_per_site")
        ]

    def __str__(self):
        return self.name

    @property
    def category_list(self) -> list[str]:
        return [c.strip() for c in self.categories.splitlines() if c.strip()]


class Letter(models.Model):
    """What a case of one of these kinds carries beyond the case machine."""

    class AnswerType(models.TextChoices):
        # 《政府信息公开条例》第三十六条
        DISCLOSED = "disclosed", "予以公开"
        PARTLY = "partly", "部分公开"
        WITHHELD = "withheld", "不予公开"
        NONEXISTENT = "nonexistent", "本机关不掌握相关政府信息（无此信息）"
        NOT_OURS = "not_ours", "非本机关掌握（告知制作或保存机关）"
        NOT_INFORMATION = "not_information", "不属于政府信息公开范围"
        REPEATED = "repeated", "重复申请"
        ALREADY_PUBLIC = "already_public", "已主动公开（告知获取方式）"
        WITHDRAWN = "withdrawn", "申请人撤回"

    class Delivery(models.TextChoices):
        EMAIL = "email", "电子邮件"
        POST = "post", "邮寄"
        PICKUP = "pickup", "当面领取"
        ONLINE = "online", "网上查阅"

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="letter")
    kind = models.CharField(max_length=30, db_index=True)
    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.PROTECT, related_name="letters"
    )
    category = models.CharField("类别", max_length=20, blank=True)
    page_url = models.CharField("出错页面", max_length=500, blank=True)
    # the office's review and publication (letters)
    published = models.BooleanField("已公开", default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    public_title = models.CharField("公开标题", max_length=200, blank=True)
    public_content = models.TextField("公开的来信内容", blank=True)
    public_reply = models.TextField("公开的答复", blank=True)
    reply_unit = models.CharField("答复单位", max_length=100, blank=True)
    # disclosure requests
    answer_type = models.CharField(
        "答复类型", max_length=20, choices=AnswerType.choices, blank=True
    )
    answer_ground = models.CharField("理由与依据", max_length=300, blank=True)
    referral = models.CharField("告知的机关", max_length=200, blank=True)
    delivery = models.CharField("获取方式", max_length=10, choices=Delivery.choices, blank=True)

    class Meta:
        verbose_name = "来信"
        indexes = [models.Index(fields=["mailbox", "published"])]

    def __str__(self):
        return self.case.number
