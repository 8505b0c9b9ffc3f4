"""The evaluation's service-guide completeness indicator (REQUIREMENTS, "Indicator defaults":
service guides missing name, legal basis, conditions or materials fail).

For federation.monitoring's scorecard: listed in settings.SCORECARD_INDICATORS (an import
string; monitoring never imports this module by name). `compute(site)` runs in the evaluated
site's schema and returns findings as plain dicts (this layer may not import federation).
Publishing already refuses an incomplete guide (completeness.py); what this finds is a live
item emptied behind that rule (a script, an import, data from before it).
"""

from django.urls import reverse

from .completeness import missing_in_page
from .models import ServiceItemPage


def incomplete_items() -> list[tuple[ServiceItemPage, list[str]]]:
    """Live service items of the current site whose guide lacks a required part."""
    pages = (
        ServiceItemPage.objects.live()
        .only("title", "legal_basis", "conditions", "path", "depth", "url_path")
        .prefetch_related("materials")
    )
    return [(page, missing) for page in pages if (missing := missing_in_page(page))]


class IncompleteServiceGuides:
    code = "services.incomplete_guides"
    label = "办事指南要素完整"
    settings = (("services.incomplete_veto", "要素缺失的办事事项达到多少个即单项否决", 1),)

    def applies_to(self, website) -> bool:
        return website.kind != "portal"  # the portal's hall shows the departments' guides

    def compute(self, site):
        found = incomplete_items()
        if len(found) < site.number("services.incomplete_veto"):
            return []
        return [
            {
                "severity": "veto",
                "title": f"办事指南要素缺失：{page.title}",
                "fix": "补全" + "、".join(missing) + "后重新发布，或撤回该事项。",
                "detail": "缺少" + "、".join(missing),
                "admin_path": reverse("wagtailadmin_pages:edit", args=[page.pk]),
            }
            for page, missing in found
        ]
