"""Disclosure items (I1, I2): every type is an ArticlePage (date, source, summary, body) that
also carries its catalogue metadata, so columns, the home page and the library see them as
articles while the catalogue reads one table for every type.

Page → core.ArticlePage → DisclosureItem (catalogue metadata) → the concrete types below.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from shared_blocks.blocks import RICH_TEXT_FEATURES, StatisticsTableBlock
from sites.core.models import ArticlePage

from ..admin_forms import DisclosureItemForm
from .catalogue import ReviewRoute

_OPENING = re.compile(r"[\[［(（【〔]")
_CLOSING = re.compile(r"[\]］)）】〕]")


def normalise_document_number(number: str) -> str:
    """文号 as printed: 乌海发[2025] 3号 and 乌海发〔2025〕3号 are the same number."""
    number = re.sub(r"\s+", "", number or "")
    return _CLOSING.sub("〕", _OPENING.sub("〔", number))


class DisclosureItem(ArticlePage):
    """Anything listed in the site's disclosure catalogue (政府信息公开目录)."""

    class Genre(models.TextChoices):
        # The statutory kinds of official documents, then the other usual kinds of item.
        DECISION = "decision", "决定"
        ORDER = "order", "命令（令）"
        ANNOUNCEMENT = "announcement", "公告"
        PUBLIC_NOTICE = "public_notice", "通告"
        OPINION = "opinion", "意见"
        NOTICE = "notice", "通知"
        CIRCULAR = "circular", "通报"
        REPORT = "report", "报告"
        REPLY = "reply", "批复"
        LETTER = "letter", "函"
        MINUTES = "minutes", "纪要"
        MEASURES = "measures", "办法、规定"
        PLAN = "plan", "规划、计划"
        INTERPRETATION = "interpretation", "解读"
        STATISTICS = "statistics", "统计信息"
        NEWS = "news", "工作动态"
        PROFILE = "profile", "机构、人员信息"
        EMERGENCY = "emergency", "突发事件信息"
        OTHER = "other", "其他"

    class Scope(models.TextChoices):
        PROACTIVE = "proactive", "主动公开"
        ON_REQUEST = "on_request", "依申请公开"

    class TimeLimit(models.TextChoices):
        LONG_TERM = "long_term", "长期公开"
        FIXED_TERM = "fixed_term", "限期公开"

    class Validity(models.TextChoices):
        NOT_APPLICABLE = "", "—"
        IN_FORCE = "in_force", "有效"
        AMENDED = "amended", "已修订"
        REPEALED = "repealed", "已废止"

    Grade = ReviewRoute.Grade

    index_number = models.CharField(
        "索引号",
        max_length=60,
        blank=True,
        default="",
        help_text="保存时自动生成（网站标识码/年份-序号）；发布后不可更改。",
    )
    topic_category = models.ForeignKey(
        "disclosure.TopicCategory",
        verbose_name="主题分类",
        on_delete=models.PROTECT,
        related_name="+",
    )
    genre = models.CharField("体裁", max_length=20, choices=Genre.choices, default=Genre.NOTICE)
    department = models.ForeignKey(
        "disclosure.Department", verbose_name="责任部门", on_delete=models.PROTECT, related_name="+"
    )
    scope = models.CharField(
        "公开方式", max_length=20, choices=Scope.choices, default=Scope.PROACTIVE
    )
    time_limit = models.CharField(
        "时效", max_length=20, choices=TimeLimit.choices, default=TimeLimit.LONG_TERM
    )
    valid_until = models.DateField(
        "公开期限至", null=True, blank=True, help_text="限期公开的信息必填"
    )
    date_written = models.DateField("成文日期", null=True, blank=True)
    grade = models.CharField(
        "信息分级",
        max_length=20,
        choices=Grade.choices,
        default=Grade.GENERAL,
        help_text="一般：审核后发布；敏感：审核、保密审查、领导审批后发布",
    )
    # Catalogue columns of documents; blank for the other types.
    document_number = models.CharField(
        "文号",
        max_length=60,
        blank=True,
        help_text="机关代字〔年份〕序号号，如“乌海府发〔2025〕3号”；年份用六角括号〔〕，"
        "输入 [2025] 或（2025）会自动改正。同一发文机关的文号不能重复。",
    )
    issuing_body = models.CharField("发文机关", max_length=100, blank=True)
    validity = models.CharField(
        "效力状态",
        max_length=20,
        choices=Validity.choices,
        blank=True,
        default=Validity.NOT_APPLICABLE,
        help_text="政策文件的效力：现行有效；被修订或废止后改为“已修订”或“已废止”，"
        "并选择修订或废止本文件的文件、填写日期。",
    )
    superseded_by = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name="修订或废止文件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="已修订或已废止时，选择修订或废止本文件的文件",
    )
    validity_changed_on = models.DateField("修订或废止日期", null=True, blank=True)

    base_form_class = DisclosureItemForm
    # A copy is a new item: it gets its own number when saved.
    exclude_fields_in_copy = ["index_number"]

    catalogue_panels = [
        MultiFieldPanel(
            [
                FieldPanel("index_number"),
                # short reference lists: a plain select beats a snippet chooser here
                FieldRowPanel(
                    [FieldPanel("topic_category", widget=forms.Select), FieldPanel("genre")]
                ),
                FieldRowPanel([FieldPanel("department", widget=forms.Select), FieldPanel("scope")]),
                FieldRowPanel([FieldPanel("time_limit"), FieldPanel("valid_until")]),
                FieldRowPanel([FieldPanel("date_written"), FieldPanel("date")]),
                FieldPanel("grade"),
            ],
            heading="公开目录信息",
        ),
    ]
    content_panels = [
        *Page.content_panels,
        *catalogue_panels,
        FieldPanel("source"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    parent_page_types = ["core.ColumnPage", "disclosure.TopicPage"]
    subpage_types = []
    is_creatable = False  # an editor creates one of the concrete types below

    class Meta:
        verbose_name = "公开信息"
        indexes = [
            models.Index(fields=["validity"], name="disclosure_validity_idx"),
            models.Index(fields=["genre"], name="disclosure_genre_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["index_number"],
                condition=~models.Q(index_number=""),
                name="unique_index_number",
                violation_error_message="索引号已被其他信息使用，请留空以自动生成。",
            ),
        ]
        permissions = [("view_disclosure_report", "可查看政府信息公开年度报告数据")]

    # --- the review route -------------------------------------------------------------
    def get_workflow(self):
        """The grade's workflow (ReviewRoute), else the one assigned in the page tree. An item
        once graded 敏感 keeps the sensitive route until a 保密审查 approval releases it: lowering
        the grade sends it back to confidentiality review (sites.disclosure.confidentiality)."""
        from sites.disclosure import confidentiality

        grade = (
            self.Grade.SENSITIVE
            if confidentiality.requires_review(self.pk, self.grade)
            else self.grade
        )
        route = (
            ReviewRoute.objects.filter(grade=grade, workflow__active=True)
            .select_related("workflow")
            .first()
        )
        return route.workflow if route else super().get_workflow()

    def publish(self, revision, user=None, changed=True, log_action=True, **kwargs):
        """Every revision publish (button, bulk action, workflow end, revert, scheduling, a
        script) asks first: a go-live date in the future is refused when it is set. The row's
        pre_save check (confidentiality.check_row_going_live) enforces it whatever the path."""
        from sites.disclosure import confidentiality

        content = revision.content or {}
        reason = confidentiality.refusal(
            self.pk, content.get("title", self.title), content.get("grade", self.grade), revision.pk
        )
        if reason and log_action == "wagtail.publish.scheduled":
            # The sweep (publish_scheduled) must go on with the other items: drop the schedule.
            revision.approved_go_live_at = None
            revision.save(update_fields=["approved_go_live_at"])
            confidentiality.log.warning("scheduled go-live of %s refused: %s", self.pk, reason)
            return None
        if reason:
            raise confidentiality.ConfidentialityReviewRequired(reason, self.pk)
        return super().publish(
            revision, user=user, changed=changed, log_action=log_action, **kwargs
        )

    # --- numbering --------------------------------------------------------------------
    def save(self, *args, **kwargs):
        if not self.index_number:
            from sites.disclosure.services import allocate_index_number  # services imports models

            self.index_number = allocate_index_number()
        return super().save(*args, **kwargs)

    # --- validation: each message says what to fix -----------------------------------
    def clean(self):
        super().clean()
        errors = {}
        self.document_number = normalise_document_number(self.document_number)
        self.issuing_body = (self.issuing_body or "").strip()
        self.index_number = (self.index_number or "").strip()
        stored = (
            DisclosureItem.objects.filter(pk=self.pk)
            .values("index_number", "first_published_at")
            .first()
            if self.pk
            else None
        )
        if (
            stored
            and stored["first_published_at"]
            and stored["index_number"]
            and self.index_number != stored["index_number"]
        ):
            errors["index_number"] = (
                f"索引号在发布后不可更改：请保留原索引号 {stored['index_number']}。"
            )
        elif self.index_number:
            clash = (
                DisclosureItem.objects.filter(index_number=self.index_number)
                .exclude(pk=self.pk)
                .only("title")
                .first()
            )
            if clash:
                errors["index_number"] = (
                    f"索引号 {self.index_number} 已被“{clash.title}”使用："
                    "请留空以自动生成，或换一个索引号。"
                )
        if self.date_written and self.date and self.date_written > self.date:
            errors["date_written"] = (
                f"成文日期 {self.date_written:%Y-%m-%d} 晚于发布日期 "
                f"{self.date:%Y-%m-%d}：成文日期不能晚于发布日期，请核对两个日期。"
            )
        if self.time_limit == self.TimeLimit.FIXED_TERM and not self.valid_until:
            errors["valid_until"] = "限期公开的信息须填写公开期限。"
        if self.valid_until and self.date and self.valid_until < self.date:
            errors["valid_until"] = "公开期限不能早于发布日期。"
        errors.update(self.clean_type_specific())
        if errors:
            raise ValidationError(errors)

    def clean_type_specific(self) -> dict:
        return {}

    # --- the resource library (federation.library.projection calls this hook) --------
    def library_projection(self) -> dict:
        """The catalogue metadata the library item carries: 文号 and 索引号 (an exact one
        finds its document first in search), the issuer (发文机关, else the responsible
        department), and in `extra` the topic category, validity, genre and date written."""
        department = self.department.name if self.department_id else ""
        fields = {
            "document_number": self.document_number or "",
            "index_number": self.index_number or "",
            "issuer": self.issuing_body or department or self.source or "",
            "topic_category": self.topic_category.name if self.topic_category_id else "",
            "department": department,
            "genre": self.get_genre_display() if self.genre else "",
            "scope": self.get_scope_display() if self.scope else "",
        }
        if self.validity:
            fields["validity"] = self.get_validity_display()
        if self.date_written:
            fields["date_written"] = self.date_written.isoformat()
        return fields

    # --- presentation -----------------------------------------------------------------
    @property
    def is_repealed(self) -> bool:
        return self.validity == self.Validity.REPEALED

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["superseding_document"] = (
            self.superseded_by.specific
            if self.superseded_by_id and self.superseded_by.live
            else None
        )
        return context


class DisclosureArticlePage(DisclosureItem):
    """News (工作动态) or a notice (通知公告) listed in the disclosure catalogue."""

    class Meta:
        verbose_name = "政务信息（动态、通知公告）"


class PolicyDocumentPage(DisclosureItem):
    """A law or regulation (法律法规) or a normative document (规范性文件)."""

    class DocumentKind(models.TextChoices):
        NORMATIVE = "normative", "规范性文件"
        LAW = "law", "法律法规"
        OTHER = "other", "其他文件"

    document_kind = models.CharField(
        "文件类别", max_length=20, choices=DocumentKind.choices, default=DocumentKind.NORMATIVE
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("document_kind"),
                FieldRowPanel([FieldPanel("document_number"), FieldPanel("issuing_body")]),
                FieldRowPanel([FieldPanel("validity"), FieldPanel("validity_changed_on")]),
                PageChooserPanel("superseded_by", page_type="disclosure.PolicyDocumentPage"),
            ],
            heading="文件信息",
        ),
        *DisclosureItem.catalogue_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
    ]

    class Meta:
        verbose_name = "政策文件（规范性文件、法律法规）"

    def clean(self):
        if not self.validity:
            self.validity = self.Validity.IN_FORCE
        super().clean()

    def clean_type_specific(self):
        errors = {}
        if not self.date_written:
            errors["date_written"] = "政策文件须填写成文日期。"
        if not self.issuing_body:
            errors["issuing_body"] = "政策文件须填写发文机关。"
        if self.document_number and self.issuing_body:
            twin = (
                DisclosureItem.objects.filter(
                    issuing_body=self.issuing_body, document_number=self.document_number
                )
                .exclude(pk=self.pk)
                .only("title")
                .first()
            )
            if twin:
                errors["document_number"] = (
                    f"{self.issuing_body}的文号 {self.document_number} 已用于“{twin.title}”："
                    "同一发文机关的文号不能重复，请核对文号。"
                )
        target = self.superseded_by.specific if self.superseded_by_id else None
        if target is not None:
            if self.pk and target.pk == self.pk:
                errors["superseded_by"] = "文件不能修订或废止自身：请选择另一份文件。"
            elif not isinstance(target, PolicyDocumentPage):
                errors["superseded_by"] = (
                    f"“{target.title}”不是政策文件：修订或废止本文件的必须是一份政策文件。"
                )
            else:
                own = self.date_written or self.date
                theirs = target.date_written or target.date
                if own and theirs and theirs < own:
                    errors["superseded_by"] = (
                        f"“{target.title}”（{theirs:%Y-%m-%d}）早于本文件（{own:%Y-%m-%d}）："
                        "修订或废止文件不能早于被修订或废止的文件，请选择正确的文件。"
                    )
            if self.validity == self.Validity.IN_FORCE and "superseded_by" not in errors:
                errors["validity"] = "已选择修订或废止文件：请把效力状态改为“已修订”或“已废止”。"
        if self.validity in (self.Validity.AMENDED, self.Validity.REPEALED):
            if not self.validity_changed_on and target is not None:
                self.validity_changed_on = target.date
            if not self.validity_changed_on:
                errors["validity_changed_on"] = "已修订或已废止的文件须填写修订或废止日期。"
            elif self.date_written and self.validity_changed_on < self.date_written:
                errors["validity_changed_on"] = "修订或废止日期不能早于成文日期。"
        return errors

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["interpretations"] = (
            PolicyInterpretationPage.objects.live()
            .public()
            .filter(interpreted_document=self)
            .order_by("-date")
            .only("title", "date", "url_path", "path", "depth")
        )
        return context


class PolicyInterpretationPage(DisclosureItem):
    """A policy interpretation (政策解读), linked to the document it explains."""

    interpreted_document = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name="解读的文件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    interpreter = models.CharField("解读人或解读机构", max_length=100, blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                PageChooserPanel("interpreted_document", page_type="disclosure.PolicyDocumentPage"),
                FieldPanel("interpreter"),
            ],
            heading="解读对象",
        ),
        *DisclosureItem.catalogue_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
    ]

    class Meta:
        verbose_name = "政策解读"

    def clean_type_specific(self):
        if not self.interpreted_document_id:
            return {"interpreted_document": "政策解读须选择它解读的政策文件。"}
        if self.pk and self.interpreted_document_id == self.pk:
            return {"interpreted_document": "解读不能指向自身：请选择它解读的政策文件。"}
        target = Page.objects.filter(pk=self.interpreted_document_id).first()
        if target is None or not issubclass(target.specific_class or Page, PolicyDocumentPage):
            title = target.title if target else self.interpreted_document_id
            return {
                "interpreted_document": f"“{title}”不是政策文件：政策解读只能关联规范性文件或法律法规。"
            }
        return {}


class StatisticsReleasePage(DisclosureItem):
    """A statistics release (统计数据): data entered as tables, shown as tables and charts."""

    period = models.CharField("统计期", max_length=40, blank=True, help_text="如“2025年1—3季度”")
    datasets = StreamField(
        [("dataset", StatisticsTableBlock())], verbose_name="统计数据", min_num=1
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("period"),
        *DisclosureItem.catalogue_panels,
        FieldPanel("summary"),
        FieldPanel("datasets"),
        FieldPanel("body"),
    ]

    class Meta:
        verbose_name = "统计数据发布"


class LeaderProfilePage(DisclosureItem):
    """A leadership profile (领导信息): name, post, portfolio, résumé in the body."""

    person_name = models.CharField("姓名", max_length=40)
    position = models.CharField("职务", max_length=100)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name="照片",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responsibilities = models.TextField("工作分工", blank=True, max_length=1000)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("person_name"), FieldPanel("position")]),
                FieldPanel("photo"),
                FieldPanel("responsibilities"),
            ],
            heading="领导信息",
        ),
        *DisclosureItem.catalogue_panels,
        FieldPanel("body", heading="简历"),
    ]

    class Meta:
        verbose_name = "领导信息"


class OrganisationPage(DisclosureItem):
    """Organisation and functions (机构职能): duties, internal units, contact."""

    functions = RichTextField("主要职责", features=RICH_TEXT_FEATURES)
    internal_units = models.TextField("内设机构", blank=True, help_text="每行一个")
    address = models.CharField("办公地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    office_hours = models.CharField("办公时间", max_length=100, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("functions"),
        FieldPanel("internal_units"),
        FieldRowPanel([FieldPanel("address"), FieldPanel("phone"), FieldPanel("office_hours")]),
        *DisclosureItem.catalogue_panels,
        FieldPanel("body"),
    ]

    class Meta:
        verbose_name = "机构职能"

    @property
    def unit_list(self):
        return [u.strip() for u in self.internal_units.splitlines() if u.strip()]


class EmergencyInformationPage(DisclosureItem):
    """Emergency information (突发事件信息, I5): level, kind, status and advice to the public."""

    class Level(models.TextChoices):
        EXTREME = "1", "特别重大（Ⅰ级）"
        MAJOR = "2", "重大（Ⅱ级）"
        LARGE = "3", "较大（Ⅲ级）"
        ORDINARY = "4", "一般（Ⅳ级）"

    class EventKind(models.TextChoices):
        NATURAL = "natural", "自然灾害"
        ACCIDENT = "accident", "事故灾难"
        HEALTH = "health", "公共卫生事件"
        SECURITY = "security", "社会安全事件"

    class Status(models.TextChoices):
        ONGOING = "ongoing", "处置中"
        CLOSED = "closed", "已结束"

    level = models.CharField(
        "事件级别", max_length=2, choices=Level.choices, default=Level.ORDINARY
    )
    event_kind = models.CharField("事件类别", max_length=20, choices=EventKind.choices)
    occurred_at = models.DateTimeField("发生时间")
    status = models.CharField(
        "处置状态", max_length=20, choices=Status.choices, default=Status.ONGOING
    )
    public_guidance = models.TextField("公众防护提示", blank=True, max_length=1000)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("level"), FieldPanel("event_kind")]),
                FieldRowPanel([FieldPanel("occurred_at"), FieldPanel("status")]),
                FieldPanel("public_guidance"),
            ],
            heading="事件信息",
        ),
        *DisclosureItem.catalogue_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
    ]

    class Meta:
        verbose_name = "突发事件信息"

    def clean_type_specific(self):
        if self.occurred_at and self.date and self.occurred_at.date() > self.date:
            return {"occurred_at": "发生时间不能晚于发布日期。"}
        return {}
