"""Service items (S1): a department's guide (办事指南) to one thing it does for the public.

`ServicesIndexPage` is the site's 网上办事 section at `/wsbs/` (one per site, made by the
provisioning step); `ServiceItemPage` is one item under it, with its materials and procedure
steps as inline lists. An item goes live only when its guide names the four things a citizen
cannot do without — name, legal basis, conditions, materials (completeness.py guards every
path). Its `library_projection()` carries the whole guide (never personal data) so the
portal's hall (federation.onestop) shows every department's items from the library alone.
"""

from django.conf import settings
from django.db import models
from django.utils.module_loading import import_string
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, Page

from .forms import ServiceItemForm

# 主题分类: the hall's "by theme" facet. Fixed: the categories of the national service platform.
THEMES = [
    "教育科研",
    "医疗卫生",
    "社会保障",
    "就业创业",
    "户籍身份",
    "婚姻生育",
    "住房保障",
    "交通出行",
    "民政救助",
    "环境保护",
    "企业开办",
    "工程建设",
    "文化体育",
    "公共安全",
    "其他",
]
# 人生事件 offered when the platform has no editable list (SERVICE_LIFE_EVENT_CHOICES).
DEFAULT_LIFE_EVENTS = [
    "生育收养",
    "上学",
    "就业创业",
    "婚姻",
    "住房",
    "社会保障",
    "医疗",
    "交通出行",
    "退休养老",
    "身后事",
]


def life_event_choices() -> list[str]:
    """The life events an editor may choose: the platform's editable list (a settings-named
    callable, the hall's), else the default list."""
    path = getattr(settings, "SERVICE_LIFE_EVENT_CHOICES", "")
    if path:
        try:
            names = list(import_string(path)())
        except Exception:  # noqa: BLE001 — the public list unreadable: the editor still works
            names = []
        if names:
            return names
    return list(DEFAULT_LIFE_EVENTS)


class ServicesIndexPage(Page):
    """网上办事: the site's service items, at /wsbs/ (listed by the hall's view)."""

    intro = models.TextField("说明", blank=True, max_length=500)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["core.HomePage"]
    subpage_types = ["services.ServiceItemPage"]
    library_exclude = True  # navigation, not an item a reader searches for
    max_count_per_parent = 1

    class Meta:
        verbose_name = "网上办事"


class ServiceItemPage(Page):
    """One service item (办事事项) and its guide."""

    class ItemType(models.TextChoices):
        LICENSING = "licensing", "行政许可"
        CONFIRMATION = "confirmation", "行政确认"
        PAYMENT = "payment", "行政给付"
        ADJUDICATION = "adjudication", "行政裁决"
        REWARD = "reward", "行政奖励"
        OTHER_POWER = "other_power", "其他行政权力"
        PUBLIC_SERVICE = "public_service", "公共服务"

    class OnlineLevel(models.IntegerChoices):
        INFORMATION = 1, "信息发布（仅办事指南）"
        DOWNLOAD = 2, "表格下载"
        APPLICATION = 3, "在线申报"
        FULL = 4, "全程网办"

    class Audience(models.TextChoices):
        PERSON = "person", "个人"
        ORGANISATION = "organisation", "法人"
        BOTH = "both", "个人和法人"

    item_code = models.CharField("事项编码", max_length=64, blank=True)
    item_type = models.CharField(
        "事项类型", max_length=20, choices=ItemType.choices, default=ItemType.PUBLIC_SERVICE
    )
    audience = models.CharField(
        "服务对象", max_length=20, choices=Audience.choices, default=Audience.PERSON
    )
    summary = models.TextField("事项简介", blank=True, max_length=500)
    legal_basis = models.TextField("设定依据", blank=True)
    conditions = models.TextField("受理条件", blank=True)
    statutory_limit_days = models.PositiveSmallIntegerField(
        "法定办结时限（工作日）", null=True, blank=True
    )
    promised_limit_days = models.PositiveSmallIntegerField(
        "承诺办结时限（工作日）", null=True, blank=True
    )
    charges_fee = models.BooleanField("是否收费", default=False)
    fee_standard = models.TextField("收费标准", blank=True)
    fee_basis = models.TextField("收费依据", blank=True)
    place = models.CharField("办理地点", max_length=255, blank=True)
    hours = models.CharField("办理时间", max_length=255, blank=True)
    consult_phone = models.CharField("咨询电话", max_length=64, blank=True)
    complaint_phone = models.CharField("投诉电话", max_length=64, blank=True)
    result_name = models.CharField("办理结果", max_length=255, blank=True, help_text="如：许可证")
    online_level = models.PositiveSmallIntegerField(
        "网上办理深度", choices=OnlineLevel.choices, default=OnlineLevel.INFORMATION
    )
    themes = models.JSONField("主题分类", default=list, blank=True)
    life_events = models.JSONField("人生事件", default=list, blank=True)
    # The departments that approve in parallel (并联审批): registry keys (schema names).
    parallel_sites = models.JSONField("并联审批部门", default=list, blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("item_code"), FieldPanel("item_type")]),
                FieldRowPanel([FieldPanel("audience"), FieldPanel("online_level")]),
                FieldPanel("summary"),
                FieldPanel("themes"),
                FieldPanel("life_events"),
            ],
            heading="事项",
        ),
        FieldPanel("legal_basis"),
        FieldPanel("conditions"),
        InlinePanel("materials", heading="申请材料", label="材料"),
        InlinePanel("steps", heading="办理流程", label="步骤"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("statutory_limit_days"), FieldPanel("promised_limit_days")]
                ),
                FieldPanel("result_name"),
                FieldPanel("parallel_sites"),
            ],
            heading="时限、结果与并联审批",
        ),
        MultiFieldPanel(
            [FieldPanel("charges_fee"), FieldPanel("fee_standard"), FieldPanel("fee_basis")],
            heading="收费",
        ),
        MultiFieldPanel(
            [
                FieldPanel("place"),
                FieldPanel("hours"),
                FieldRowPanel([FieldPanel("consult_phone"), FieldPanel("complaint_phone")]),
            ],
            heading="办理地点与咨询",
        ),
    ]
    base_form_class = ServiceItemForm
    parent_page_types = ["services.ServicesIndexPage"]
    subpage_types = []
    library_type = "service"  # 办事服务 in the library and the cross-site search

    class Meta:
        verbose_name = "办事事项"
        verbose_name_plural = "办事事项"

    def publish(self, revision, user=None, changed=True, log_action=True, **kwargs):
        """Every revision publish asks first (completeness.py): a scheduled go-live of an
        incomplete guide is dropped with a log line, so the sweep goes on with the others."""
        from . import completeness

        content = revision.content or {}
        missing = completeness.missing_in_content(content)
        if missing and log_action == "wagtail.publish.scheduled":
            revision.approved_go_live_at = None
            revision.save(update_fields=["approved_go_live_at"])
            completeness.log.warning("scheduled go-live of %s refused: %s", self.pk, missing)
            return None
        if missing:
            raise completeness.IncompleteGuide(content.get("title", self.title), missing, self.pk)
        return super().publish(
            revision, user=user, changed=changed, log_action=log_action, **kwargs
        )

    # --- the guide ------------------------------------------------------------------------
    @property
    def applies_online(self) -> bool:
        return self.online_level >= self.OnlineLevel.APPLICATION

    def guide(self) -> dict:
        """The whole guide as plain data: what the library carries and every view renders."""
        return {
            "item_code": self.item_code,
            "item_type": self.item_type,
            "item_type_label": self.get_item_type_display(),
            "audience": self.get_audience_display(),
            "online_level": int(self.online_level),
            "online_level_label": self.get_online_level_display(),
            "summary": self.summary,
            "legal_basis": self.legal_basis,
            "conditions": self.conditions,
            "materials": [m.as_data() for m in self.materials.all()],
            "steps": [{"name": s.name, "description": s.description} for s in self.steps.all()],
            "statutory_limit_days": self.statutory_limit_days,
            "promised_limit_days": self.promised_limit_days,
            "result_name": self.result_name,
            "charges_fee": self.charges_fee,
            "fee_standard": self.fee_standard,
            "fee_basis": self.fee_basis,
            "place": self.place,
            "hours": self.hours,
            "consult_phone": self.consult_phone,
            "complaint_phone": self.complaint_phone,
            "themes": list(self.themes or []),
            "life_events": list(self.life_events or []),
            "parallel_sites": list(self.parallel_sites or []),
        }

    def library_projection(self) -> dict:
        """Type 办事服务, the facets at the top level of `extra` (the hall filters on them)
        and the guide beside them. A guide holds no personal data: it is the same for all."""
        guide = self.guide()
        return {
            "item_type": "service",
            "summary": self.summary or self.conditions[:200],
            "service_item_type": self.item_type,
            "online_level": int(self.online_level),
            "themes": guide["themes"],
            "life_events": guide["life_events"],
            "parallel_sites": guide["parallel_sites"],
            "guide": guide,
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["guide"] = self.guide()
        # the hall's apply view (federation.onestop) answers at this path on every site
        context["apply_url"] = f"/wsbs/apply/{self.pk}/" if self.applies_online else ""
        if self.parallel_sites:
            from django_tenants.utils import get_tenant_model

            context["parallel_names"] = list(
                get_tenant_model()
                .objects.filter(schema_name__in=self.parallel_sites)
                .values_list("legal_name", flat=True)
            )
        return context


class ServiceMaterial(Orderable):
    """One document an applicant brings or uploads (申请材料)."""

    class Form(models.TextChoices):
        ORIGINAL = "original", "原件"
        COPY = "copy", "复印件"
        BOTH = "both", "原件和复印件"
        ELECTRONIC = "electronic", "电子材料"

    page = ParentalKey(ServiceItemPage, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField("材料名称", max_length=255)
    form = models.CharField("材料形式", max_length=20, choices=Form.choices, default=Form.ORIGINAL)
    copies = models.PositiveSmallIntegerField("份数", default=1)
    required = models.BooleanField("必须提交", default=True)
    note = models.CharField("填报说明", max_length=500, blank=True)
    blank_form = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name="空白表格",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sample = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name="示例样表",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("form")]),
        FieldRowPanel([FieldPanel("copies"), FieldPanel("required")]),
        FieldPanel("note"),
        FieldRowPanel([FieldPanel("blank_form"), FieldPanel("sample")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = "申请材料"

    def as_data(self) -> dict:
        return {
            "name": self.name,
            "form": self.form,
            "form_label": self.get_form_display(),
            "copies": self.copies,
            "required": self.required,
            "note": self.note,
            "blank_form": _document(self.blank_form),
            "sample": _document(self.sample),
        }


def _document(document) -> dict | None:
    if document is None:
        return None
    return {"title": document.title, "url": document.url, "ext": document.file_extension}


class ServiceStep(Orderable):
    """One step of the procedure (办理流程)."""

    page = ParentalKey(ServiceItemPage, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField("步骤", max_length=100)
    description = models.TextField("说明", blank=True)

    panels = [FieldPanel("name"), FieldPanel("description")]

    class Meta(Orderable.Meta):
        verbose_name = "办理步骤"
