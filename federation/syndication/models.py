"""Syndication records (F1, O2, I5, P5), all in the public schema.

Items travel between sites as library items (`federation.library.LibraryItem`), never as
pages read from another schema by the receiving site:

- `OfferRule`       a page, or a whole column, its site offers to the portal
- `SyndicationOffer` one item offered to one receiving site: pending → accepted / declined
- `Subscription`    a receiving column's standing order (栏目共建): types/categories from sites
- `PushDown`        the portal sending one of its items down to many sites
- `Delivery`        one item's copy on one receiving site: the work a task does, idempotently
- `RenderedBody`    the item's body rendered once, in its own schema, with absolute links
- `Broadcast`       a city-wide emergency notice; `BroadcastLogEntry` records who did what
- `SharedResource`  a portal document or image every site may link to without copying it

Users live in the site schemas, so "who" is recorded as text (username and site), not a FK.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone


class Audience(models.TextChoices):
    """Which sites a subscription listens to, or a push-down goes to."""

    ALL_DISTRICTS = "districts", "全部区县"
    ALL_DEPARTMENTS = "departments", "全部部门"
    ALL_SITES = "all", "全部网站"
    CHOSEN = "chosen", "指定网站"


class OfferRule(models.Model):
    """What a site offers the portal: one page, or everything published under one column."""

    class Scope(models.TextChoices):
        PAGE = "page", "单篇信息"
        COLUMN = "column", "整个栏目"

    site = models.ForeignKey(
        "tenants.Website", on_delete=models.CASCADE, related_name="offer_rules", verbose_name="网站"
    )
    scope = models.CharField("范围", max_length=10, choices=Scope.choices)
    # The page's (or column's) translation_key: stable across edits and moves.
    page_key = models.UUIDField("页面键")
    title = models.CharField("标题", max_length=255, blank=True)
    created_by = models.CharField("设置人", max_length=150, blank=True)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "报送设置"
        verbose_name_plural = "报送设置"
        constraints = [
            models.UniqueConstraint(
                fields=["site", "page_key"], name="syndication_offer_rule_unique"
            )
        ]

    def __str__(self):
        return f"{self.site.short_name}: {self.title} ({self.get_scope_display()})"


class Subscription(models.Model):
    """栏目共建: a column of the receiving site that gathers matching items from other sites."""

    name = models.CharField("名称", max_length=100)
    target = models.ForeignKey(
        "tenants.Website",
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name="接收网站",
    )
    column_slug = models.SlugField("接收栏目", max_length=255, allow_unicode=True)
    audience = models.CharField(
        "来源范围", max_length=20, choices=Audience.choices, default=Audience.ALL_DISTRICTS
    )
    sources = models.ManyToManyField(
        "tenants.Website", blank=True, related_name="+", verbose_name="指定来源网站"
    )
    item_types = ArrayField(
        models.CharField(max_length=20),
        default=list,
        blank=True,
        verbose_name="信息类型",
        help_text="留空为全部类型",
    )
    categories = ArrayField(
        models.CharField(max_length=255),
        default=list,
        blank=True,
        verbose_name="来源栏目",
        help_text="来源网站的栏目名称，留空为全部",
    )
    requires_review = models.BooleanField(
        "需审核", default=False, help_text="选中后，匹配的信息先进入编审收件箱"
    )
    active = models.BooleanField("启用", default=True)
    created_by = models.CharField("创建人", max_length=150, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "栏目订阅"
        verbose_name_plural = "栏目订阅"

    def __str__(self):
        return self.name


class SyndicationOffer(models.Model):
    """One item offered to one receiving site (the portal), and the curator's decision."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        ACCEPTED = "accepted", "已采用"
        DECLINED = "declined", "未采用"
        WITHDRAWN = "withdrawn", "已撤回"

    item = models.ForeignKey(
        "library.LibraryItem", on_delete=models.CASCADE, related_name="offers", verbose_name="信息"
    )
    source = models.ForeignKey(
        "tenants.Website",
        on_delete=models.CASCADE,
        related_name="offers_made",
        verbose_name="报送网站",
    )
    target = models.ForeignKey(
        "tenants.Website",
        on_delete=models.CASCADE,
        related_name="offers_received",
        verbose_name="接收网站",
    )
    subscription = models.ForeignKey(
        Subscription,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="offers",
        verbose_name="来自订阅",
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    column_slug = models.CharField("采用栏目", max_length=255, blank=True)
    decline_reason = models.TextField("未采用理由", blank=True)
    offered_by = models.CharField("报送人", max_length=150, blank=True)
    decided_by = models.CharField("审核人", max_length=150, blank=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    created_at = models.DateTimeField("报送时间", auto_now_add=True)

    class Meta:
        verbose_name = "报送信息"
        verbose_name_plural = "报送信息"
        constraints = [
            models.UniqueConstraint(fields=["item", "target"], name="syndication_offer_unique")
        ]
        indexes = [
            models.Index(fields=["target", "status", "-created_at"], name="syndication_inbox_idx")
        ]

    def __str__(self):
        return f"{self.item.title} → {self.target.short_name} ({self.get_status_display()})"


class PushDown(models.Model):
    """The portal sends one of its items down to many sites (下发), into a named column."""

    item = models.ForeignKey(
        "library.LibraryItem",
        on_delete=models.CASCADE,
        related_name="push_downs",
        verbose_name="信息",
    )
    audience = models.CharField("下发范围", max_length=20, choices=Audience.choices)
    sites = models.ManyToManyField(
        "tenants.Website", blank=True, related_name="+", verbose_name="指定网站"
    )
    column_slug = models.SlugField("接收栏目", max_length=255, allow_unicode=True)
    mandatory = models.BooleanField(
        "必须转载", default=True, help_text="必须转载的信息在接收网站只读；否则接收网站可以退回"
    )
    created_by = models.CharField("下发人", max_length=150, blank=True)
    created_at = models.DateTimeField("下发时间", auto_now_add=True)

    class Meta:
        verbose_name = "信息下发"
        verbose_name_plural = "信息下发"

    def __str__(self):
        return f"{self.item.title} → {self.get_audience_display()}"


class Delivery(models.Model):
    """One item's copy on one receiving site. Desired state here; the task makes it so.

    A task (`tasks.deliver`, in the receiving site's schema) reads this row and the item and
    creates, updates, or unpublishes the copy. It is idempotent: `delivered_version` says which
    library version the copy shows, and the copy's `syndication_key` is unique in its schema.
    """

    class Origin(models.TextChoices):
        OFFER = "offer", "报送采用"
        SUBSCRIPTION = "subscription", "栏目共建"
        PUSH_DOWN = "push_down", "上级下发"

    class Status(models.TextChoices):
        PENDING = "pending", "待投递"
        DELIVERED = "delivered", "已转载"
        WITHDRAWN = "withdrawn", "已随原文撤下"
        DECLINED = "declined", "已退回"
        FAILED = "failed", "投递失败"

    item = models.ForeignKey(
        "library.LibraryItem",
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name="信息",
    )
    target = models.ForeignKey(
        "tenants.Website",
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name="接收网站",
    )
    column_slug = models.CharField("接收栏目", max_length=255)
    origin = models.CharField("来源方式", max_length=20, choices=Origin.choices)
    offer = models.ForeignKey(
        SyndicationOffer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    push_down = models.ForeignKey(
        PushDown, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    mandatory = models.BooleanField("必须转载", default=False)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    copy_page_id = models.IntegerField("副本页面ID", null=True, blank=True)
    delivered_version = models.BigIntegerField("已投递版本", default=0)
    declined_by = models.CharField("退回人", max_length=150, blank=True)
    decline_reason = models.TextField("退回理由", blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "转载投递"
        verbose_name_plural = "转载投递"
        constraints = [
            models.UniqueConstraint(fields=["item", "target"], name="syndication_delivery_unique")
        ]
        indexes = [models.Index(fields=["target", "status"], name="syndication_target_idx")]

    def __str__(self):
        return f"{self.item.title} → {self.target.short_name} ({self.get_status_display()})"


class RenderedBody(models.Model):
    """An item's body as HTML, rendered once per library version in the source's schema."""

    item = models.OneToOneField(
        "library.LibraryItem", on_delete=models.CASCADE, related_name="rendered_body"
    )
    version = models.BigIntegerField()
    html = models.TextField(blank=True)
    rendered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "正文渲染"
        verbose_name_plural = "正文渲染"

    def __str__(self):
        return f"{self.item_id} v{self.version}"


class BroadcastQuerySet(models.QuerySet):
    def live(self, at=None):
        at = at or timezone.now()
        return self.filter(withdrawn_at__isnull=True, starts_at__lte=at, ends_at__gt=at)


class WarningLevel(models.TextChoices):
    """预警级别 (I5): shown by colour and in words, never by colour alone."""

    BLUE = "blue", "蓝色预警"
    YELLOW = "yellow", "黄色预警"
    ORANGE = "orange", "橙色预警"
    RED = "red", "红色预警"


class Broadcast(models.Model):
    """I5: an emergency notice every site shows as a banner between its start and end time."""

    title = models.CharField("标题", max_length=100)
    level = models.CharField(
        "预警级别", max_length=10, choices=WarningLevel.choices, default=WarningLevel.RED
    )
    text = models.CharField("简要内容", max_length=300)
    link = models.URLField(
        "全文链接", max_length=500, help_text="通知全文的地址，一般为门户网站上的通知页面"
    )
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    posted_by = models.CharField("发布人", max_length=150)
    posted_at = models.DateTimeField("发布时间", auto_now_add=True)
    withdrawn_by = models.CharField("撤销人", max_length=150, blank=True)
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)

    objects = BroadcastQuerySet.as_manager()

    class Meta:
        verbose_name = "紧急广播"
        verbose_name_plural = "紧急广播"
        indexes = [
            models.Index(
                fields=["ends_at"],
                name="broadcast_ends_idx",
                condition=models.Q(withdrawn_at__isnull=True),
            )
        ]

    def __str__(self):
        return self.title

    @property
    def state(self) -> str:
        now = timezone.now()
        if self.withdrawn_at:
            return "已撤销"
        if now < self.starts_at:
            return "待生效"
        return "生效中" if now < self.ends_at else "已结束"


class BroadcastRequest(models.Model):
    """A site's emergency item asking for the city-wide banner (I5): the portal approves it
    (a two-factor session and a confirmation), or declines it. One request per item."""

    class Status(models.TextChoices):
        PENDING = "pending", "待门户审批"
        APPROVED = "approved", "已发布横幅"
        DECLINED = "declined", "未采用"

    site = models.ForeignKey(
        "tenants.Website",
        on_delete=models.CASCADE,
        related_name="broadcast_requests",
        verbose_name="申请网站",
    )
    page_key = models.CharField("信息键", max_length=100, unique=True)  # "<schema>:<page id>"
    title = models.CharField("标题", max_length=100)
    text = models.CharField("简要内容", max_length=300)
    link = models.URLField("全文链接", max_length=500)
    level = models.CharField("预警级别", max_length=10, choices=WarningLevel.choices)
    requested_by = models.CharField("申请人", max_length=150)
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.CharField("处理人", max_length=150, blank=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    broadcast = models.ForeignKey(
        Broadcast, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "横幅申请"
        verbose_name_plural = "横幅申请"
        ordering = ["-requested_at"]

    def __str__(self):
        return self.title


class BroadcastLogEntry(models.Model):
    """Who posted, changed or withdrew a broadcast, and when. Never edited or deleted."""

    class Action(models.TextChoices):
        POSTED = "posted", "发布"
        WITHDRAWN = "withdrawn", "撤销"

    broadcast = models.ForeignKey(Broadcast, on_delete=models.PROTECT, related_name="log")
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    actor = models.CharField("操作人", max_length=150)
    site = models.ForeignKey(
        "tenants.Website",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="操作网站",
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    detail = models.JSONField("内容", default=dict, blank=True)

    class Meta:
        verbose_name = "广播记录"
        verbose_name_plural = "广播记录"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.get_action_display()} {self.broadcast_id} by {self.actor}"


class SharedResource(models.Model):
    """A portal document or image shared with every site (P5). The file is never copied: the
    registry holds the portal's own URL for it, and sites link there."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", "文件"
        IMAGE = "image", "图片"

    site = models.ForeignKey(
        "tenants.Website",
        on_delete=models.CASCADE,
        related_name="shared_resources",
        verbose_name="提供网站",
    )
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    object_id = models.IntegerField("原对象ID")
    title = models.CharField("标题", max_length=255)
    url = models.URLField("地址", max_length=500)
    file_extension = models.CharField("格式", max_length=20, blank=True)
    file_size = models.BigIntegerField("大小", null=True, blank=True)
    width = models.IntegerField(null=True, blank=True)
    height = models.IntegerField(null=True, blank=True)
    shared_by = models.CharField("共享人", max_length=150, blank=True)
    shared_at = models.DateTimeField("共享时间", auto_now_add=True)
    active = models.BooleanField("共享中", default=True)

    class Meta:
        verbose_name = "共享资源"
        verbose_name_plural = "共享资源"
        constraints = [
            models.UniqueConstraint(
                fields=["site", "kind", "object_id"], name="shared_resource_unique"
            )
        ]

    def __str__(self):
        return self.title
