"""Demo service items, from the demo city's data files (tenants/demo/README.md, type `service`).

A material may name a `blank_form:` — a list of the form's fields: the builder makes a real
blank form (an .xlsx workbook with the item's name, the fields and a signature line) as a
Wagtail document of the site, once per site and form name.
"""

import io

from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from sites.core.demo import DemoPageType

from .models import THEMES, ServiceItemPage, ServiceMaterial, ServiceStep

SERVICE_KEYS = frozenset(
    {
        "title",
        "summary",
        "item_code",
        "item_type",
        "audience",
        "legal_basis",
        "conditions",
        "materials",
        "steps",
        "statutory_limit_days",
        "promised_limit_days",
        "result_name",
        "fee",
        "fee_basis",
        "place",
        "hours",
        "consult_phone",
        "complaint_phone",
        "online_level",
        "themes",
        "life_events",
        "parallel",
    }
)
ITEM_TYPES = {label: value for value, label in ServiceItemPage.ItemType.choices}
LEVELS = {"信息发布": 1, "表格下载": 2, "在线申报": 3, "全程网办": 4}
FORMS = {label: value for value, label in ServiceMaterial.Form.choices}


def _blank_form(ctx, item_title, name, fields):
    """A blank form workbook (an .xlsx made here), kept as a document of the site."""
    documents = ctx.cache.setdefault("service_forms", {})
    if name in documents:
        return documents[name]
    from openpyxl import Workbook  # only the demo writes workbooks

    book = Workbook()
    sheet = book.active
    sheet.title = "申请表"
    sheet.append([name])
    sheet.append([f"事项：{item_title}", "", f"受理单位：{ctx.website.legal_name}"])
    sheet.append([])
    for field in fields:
        sheet.append([field, ""])
    sheet.append([])
    sheet.append(["申请人（签字）：", "", "日期：    年  月  日"])
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 40
    buffer = io.BytesIO()
    book.save(buffer)
    Document = get_document_model()
    document = Document(title=name)
    document.file.save(f"{name}.xlsx", ContentFile(buffer.getvalue()), save=False)
    document.save()
    documents[name] = document
    return document


def service(entry, ctx) -> ServiceItemPage:
    item_type = ITEM_TYPES.get(entry.get("item_type", "公共服务"))
    if item_type is None:
        raise ValueError(f"item_type must be one of {', '.join(ITEM_TYPES)}")
    level = LEVELS.get(entry.get("online_level", "信息发布"))
    if level is None:
        raise ValueError(f"online_level must be one of {', '.join(LEVELS)}")
    themes = entry.get("themes") or []
    unknown = [t for t in themes if t not in THEMES]
    if unknown:
        raise ValueError(f"theme {unknown[0]} is not one of {', '.join(THEMES)}")
    page = ServiceItemPage(
        title=entry["title"],
        summary=entry.get("summary", ""),
        item_code=entry.get("item_code", ""),
        item_type=item_type,
        audience={"个人": "person", "法人": "organisation"}.get(entry.get("audience"), "both"),
        legal_basis=entry["legal_basis"],
        conditions=entry["conditions"],
        statutory_limit_days=entry.get("statutory_limit_days"),
        promised_limit_days=entry.get("promised_limit_days"),
        result_name=entry.get("result_name", ""),
        charges_fee=bool(entry.get("fee")),
        fee_standard=entry.get("fee") or "不收费",
        fee_basis=entry.get("fee_basis", ""),
        place=entry.get("place", ctx.website.address or ""),
        hours=entry.get("hours", "工作日 上午9:00—12:00，下午13:30—17:30"),
        consult_phone=entry.get("consult_phone", ctx.website.contact_phone or ""),
        complaint_phone=entry.get("complaint_phone", "12345"),
        online_level=level,
        themes=themes,
        life_events=entry.get("life_events") or [],
        parallel_sites=entry.get("parallel") or [],
    )
    materials = []
    for n, material in enumerate(entry["materials"]):
        if isinstance(material, str):
            material = {"name": material}
        form = FORMS.get(material.get("form", "原件"))
        if form is None:
            raise ValueError(f"a material's form must be one of {', '.join(FORMS)}")
        blank = material.get("blank_form")
        materials.append(
            ServiceMaterial(
                sort_order=n,
                name=material["name"],
                form=form,
                copies=material.get("copies", 1),
                required=material.get("required", True),
                note=material.get("note", ""),
                blank_form=_blank_form(ctx, entry["title"], material["name"], blank)
                if blank
                else None,
            )
        )
    page.materials = materials
    page.steps = [
        ServiceStep(sort_order=n, name=step.split("：", 1)[0], description=step.partition("：")[2])
        for n, step in enumerate(entry.get("steps") or ["申请", "受理", "审查", "决定", "送达"])
    ]
    return page


PAGE_TYPES = {"service": DemoPageType(SERVICE_KEYS, service)}
