"""Service items made through the save path the admin uses (in the current schema)."""

import itertools

from wagtail.test.utils.form_data import inline_formset, nested_form_data

from sites.services.models import ServiceItemPage, ServiceMaterial, ServicesIndexPage, ServiceStep

_counter = itertools.count(1)

COMPLETE = {
    "legal_basis": "《中华人民共和国行政许可法》第十二条",
    "conditions": "申请人为本市常住居民，材料齐全、符合法定形式。",
}


def services_index():
    return ServicesIndexPage.objects.get()


def make_item(publish=True, materials=("居民身份证",), parent=None, **fields):
    n = next(_counter)
    values = {
        "title": fields.pop("title", f"测试办事事项{n}"),
        "slug": f"item-{n}",
        "item_type": "licensing",
        "online_level": 3,
        "live": False,
        **COMPLETE,
    }
    values.update(fields)
    page = ServiceItemPage(**values)
    page.materials = [ServiceMaterial(name=name, sort_order=i) for i, name in enumerate(materials)]
    page.steps = [ServiceStep(name="受理", sort_order=0)]
    page = (parent or services_index()).add_child(instance=page)
    if publish:
        page.save_revision().publish()
    return page


def edit_form(page, **overrides):
    """The admin's edit form of an item, as a browser posts it, with "publish" pressed."""
    materials = overrides.pop("materials", [m.name for m in page.materials.all()])
    data = {
        "title": page.title,
        "slug": page.slug,
        "item_code": page.item_code,
        "item_type": page.item_type,
        "audience": page.audience,
        "online_level": page.online_level,
        "summary": page.summary,
        "legal_basis": page.legal_basis,
        "conditions": page.conditions,
        "fee_standard": "",
        "fee_basis": "",
        "place": "",
        "hours": "",
        "consult_phone": "",
        "complaint_phone": "",
        "result_name": "",
        "materials": inline_formset(
            [
                {"name": name, "form": "original", "copies": 1, "required": "on", "note": ""}
                for name in materials
            ]
        ),
        "steps": inline_formset([{"name": "受理", "description": ""}]),
        "comments": inline_formset([]),
        "action-publish": "action-publish",
    }
    data.update(overrides)
    return nested_form_data(data)
