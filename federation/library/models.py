"""The resource library (F1, F2): one row per published item of every site, in the public schema.

A `LibraryItem` is a projection of a page, never edited by hand: `services.process_event`
rebuilds it from the page whenever an `OutboxEvent` says the page changed, and records a
`ConsumerStep` for each consumer (search, syndication) in the same transaction. Syndication
and cross-site search read the library, never the tenant schemas.
"""

from django.db import models


class ItemType(models.TextChoices):
    """What an item is, from the reader's point of view (the search facet "类型")."""

    NEWS = "news", "工作动态"
    NOTICE = "notice", "通知公告"
    POLICY = "policy", "政策文件"
    INTERPRETATION = "interpretation", "政策解读"
    DOCUMENT = "document", "政府信息公开"
    SERVICE = "service", "办事服务"
    INTERACTION = "interaction", "互动交流"
    TOPIC = "topic", "专题专栏"
    ARTICLE = "article", "其他信息"


class WithdrawnReason(models.TextChoices):
    UNPUBLISHED = "unpublished", "已撤回发布"
    DELETED = "deleted", "已删除"
    RESTRICTED = "restricted", "访问受限"
    EXCLUDED = "excluded", "不进入资源库"
    SITE_INACTIVE = "site_inactive", "网站已暂停或归档"


class LibraryItem(models.Model):
    site = models.ForeignKey(
        "tenants.Website",
        on_delete=models.CASCADE,
        related_name="library_items",
        verbose_name="网站",
    )
    # "<schema>:<page translation_key UUID>": stable across edits, moves and renames, and
    # unique platform-wide (page ids repeat across schemas).
    item_key = models.CharField("条目键", max_length=100, unique=True)
    page_id = models.IntegerField("页面ID")
    page_model = models.CharField("页面类型", max_length=100, blank=True)
    item_type = models.CharField(
        "类型", max_length=20, choices=ItemType.choices, default=ItemType.ARTICLE
    )
    category = models.CharField("栏目", max_length=255, blank=True)
    title = models.CharField("标题", max_length=255)
    summary = models.TextField("摘要", blank=True)
    text = models.TextField("正文纯文本", blank=True)
    url = models.URLField("网址", max_length=500)
    published_at = models.DateTimeField("发布日期", null=True, blank=True)
    first_published_at = models.DateTimeField("首次发布", null=True, blank=True)
    updated_at = models.DateTimeField("最后更新", null=True, blank=True)
    expires_at = models.DateTimeField("失效时间", null=True, blank=True)
    language = models.CharField("语言", max_length=10, default="zh-hans")
    # Disclosure metadata (政府信息公开): filled by a page's `library_projection()`.
    index_number = models.CharField("索引号", max_length=100, blank=True, db_index=True)
    document_number = models.CharField("文号", max_length=100, blank=True, db_index=True)
    issuer = models.CharField("发布机构", max_length=200, blank=True)
    extra = models.JSONField("其他元数据", default=dict, blank=True)
    # The outbox version last applied: an event with a version at or below it is a duplicate.
    version = models.BigIntegerField("版本", default=0)
    # What the item's consumers show, digested (projection.content_digest): an event whose
    # projection has the same digest leaves the item and its consumers alone. None on rows
    # written before the digest: they are written anew at their next event.
    digest = models.BigIntegerField("内容摘要", null=True, blank=True)
    withdrawn = models.BooleanField("已撤下", default=False)
    withdrawn_reason = models.CharField(
        "撤下原因", max_length=20, blank=True, choices=WithdrawnReason.choices
    )
    withdrawn_at = models.DateTimeField("撤下时间", null=True, blank=True)
    projected_at = models.DateTimeField("同步时间", auto_now=True)

    class Meta:
        verbose_name = "资源库条目"
        verbose_name_plural = "资源库条目"
        indexes = [
            models.Index(fields=["site", "page_id"], name="library_site_page_idx"),
            models.Index(
                fields=["site", "withdrawn", "-published_at"], name="library_site_live_idx"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.item_key})"

    @property
    def schema_name(self) -> str:
        return self.item_key.split(":", 1)[0]

    @property
    def is_current(self) -> bool:
        return not self.withdrawn


class OutboxEvent(models.Model):
    """A change to a page, written in the same transaction as the change itself.

    The row is the durable promise that the library will hear of the change: a task processes
    it after commit, and `sweep_outbox()` re-sends rows whose task never ran (broker down,
    worker killed, search cluster unreachable).
    """

    class Kind(models.TextChoices):
        PUBLISHED = "published", "发布"
        UNPUBLISHED = "unpublished", "撤回"
        DELETED = "deleted", "删除"
        MOVED = "moved", "移动"
        RESTRICTED = "restricted", "访问限制变更"
        RESYNC = "resync", "重新同步"

    site = models.ForeignKey(
        "tenants.Website", on_delete=models.CASCADE, related_name="outbox_events"
    )
    item_key = models.CharField(max_length=100, db_index=True)
    page_id = models.IntegerField()
    event = models.CharField(max_length=20, choices=Kind.choices)
    # From the platform-wide sequence `federation_library_version`: later changes have larger
    # versions, whatever order their tasks run in.
    version = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "发布事件"
        verbose_name_plural = "发布事件"
        indexes = [
            # The sweep's question: which rows are still waiting? A partial index stays small.
            models.Index(
                fields=["created_at"],
                name="outbox_pending_idx",
                condition=models.Q(processed_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.event} {self.item_key} v{self.version}"


class ConsumerStep(models.Model):
    """What one consumer of the library (consumers.py: search, syndication…) still has to do
    for one item: one row per item and consumer, brought up to the item's version in the
    transaction that changes the item, marked done once the consumer has handled that version.

    The row is the consumer's durable promise, as the outbox row is the library's: a worker
    killed after the projection committed, a search cluster that was down, a consumer that
    failed, all leave the step pending, and the sweep runs it again.
    """

    item = models.ForeignKey(LibraryItem, on_delete=models.CASCADE, related_name="consumer_steps")
    consumer = models.CharField(max_length=40)
    # The item version this consumer must catch up with, and the event that made it.
    version = models.BigIntegerField()
    event = models.CharField(max_length=20)
    scheduled_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "资源库下游处理"
        verbose_name_plural = "资源库下游处理"
        constraints = [
            models.UniqueConstraint(
                fields=["item", "consumer"], name="library_consumer_step_unique"
            )
        ]
        indexes = [
            # The sweep's question: which steps are still waiting? A partial index stays small.
            models.Index(
                fields=["scheduled_at"],
                name="library_step_pending_idx",
                condition=models.Q(done_at__isnull=True),
            ),
        ]

    def __str__(self):
        return (
            f"{self.consumer} {self.item_id} v{self.version}{'' if self.done_at else ' (pending)'}"
        )
