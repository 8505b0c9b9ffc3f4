"""The S5 figures page in a site's admin (the portal: city-wide, a row per department; a
department: its own), with server-drawn SVG charts and a CSV export."""

import csv
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from security import roles
from security.audit.services import record
from shared_blocks.blocks import bar_chart
from tenants.models import Website

from . import figures as s5
from .hall import LEVELS
from .models import LifeEvent
from .services import ensure_life_events

SHARE_WIDTH, SHARE_LABEL, SHARE_BAR, SHARE_GAP = 640, 200, 18, 8


def share_chart(rows):
    """Bars of each department's online share of licensing items (0–100 %) with the target
    line at 50 %: geometry for the template."""
    plot = SHARE_WIDTH - SHARE_LABEL - 70
    bars = []
    for i, row in enumerate(r for r in rows if r.online_share is not None):
        share = row.online_share
        bars.append(
            {
                "label": row.name,
                "display": f"{share}%",
                "width": round(max(float(share) * plot / 100, 1), 1),
                "y": SHARE_GAP + i * (SHARE_BAR + SHARE_GAP),
                "meets": row.meets_target,
            }
        )
    height = SHARE_GAP + len(bars) * (SHARE_BAR + SHARE_GAP) + 16
    return {
        "bars": bars,
        "width": SHARE_WIDTH,
        "height": height,
        "label_width": SHARE_LABEL,
        "bar_height": SHARE_BAR,
        "target_x": round(SHARE_LABEL + plot * float(s5.ONLINE_TARGET) / 100, 1),
        "plot_end": SHARE_LABEL + plot,
    }


def figures(request):
    website = Website.objects.current()
    data = s5.compute(website)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="banshi-tongji-{stamp}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 CSV as such only with a BOM
        writer = csv.writer(response)
        writer.writerow(s5.CSV_HEADER)
        writer.writerows(s5.csv_rows(data))
        return response
    total = data.total
    level_chart = bar_chart([(label, Decimal(total.by_level[n])) for n, label in LEVELS.items()])
    case_chart = bar_chart(
        [
            ("收到申请", Decimal(total.received)),
            ("已办结", Decimal(total.completed)),
            ("按时办结", Decimal(total.on_time)),
            ("超期", Decimal(total.overdue)),
        ]
    )
    is_portal = website is not None and website.kind == Website.Kind.PORTAL
    return render(
        request,
        "onestop/admin/figures.html",
        {
            "figures": data,
            "total": total,
            "level_chart": level_chart,
            "case_chart": case_chart,
            "share_chart": share_chart([*data.rows, total] if is_portal else [total]),
            "is_portal": is_portal,
            "target": s5.ONLINE_TARGET,
            "levels": LEVELS,
        },
    )


# --- the hall's life-event list (portal) ----------------------------------------------------


def may_edit_life_events(request) -> bool:
    """The portal's webmasters and municipal curators edit the list."""
    site = Website.objects.current()
    user = request.user
    return bool(
        site
        and site.kind == Website.Kind.PORTAL
        and user.is_authenticated
        and (
            user.is_superuser
            or user.groups.filter(name__in=[roles.WEBMASTER, roles.MUNICIPAL_CURATOR]).exists()
        )
    )


class LifeEventsForm(forms.Form):
    lines = forms.CharField(
        label="人生事件（每行一个：名称｜说明）",
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=4000,
    )

    def clean_lines(self):
        events, seen = [], set()
        for n, line in enumerate(self.cleaned_data["lines"].splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            name, _, description = (p.strip() for p in line.replace("|", "｜").partition("｜"))
            if not name or len(name) > 20:
                raise forms.ValidationError(f"第 {n} 行：名称不能为空，且不超过 20 个字。")
            if name in seen:
                raise forms.ValidationError(f"第 {n} 行：“{name}”重复了。")
            seen.add(name)
            events.append((name, description[:100]))
        if not events:
            raise forms.ValidationError("至少保留一个人生事件。")
        return events


def life_events(request):
    if not may_edit_life_events(request):
        raise PermissionDenied
    ensure_life_events()
    current = "\n".join(
        f"{e.name}｜{e.description}" if e.description else e.name for e in LifeEvent.objects.all()
    )
    form = LifeEventsForm(request.POST or None, initial={"lines": current})
    if request.method == "POST" and form.is_valid():
        events = form.cleaned_data["lines"]
        with transaction.atomic():
            LifeEvent.objects.exclude(name__in=[n for n, _ in events]).delete()
            for order, (name, description) in enumerate(events):
                LifeEvent.objects.update_or_create(
                    name=name, defaults={"description": description, "sort_order": order}
                )
        record(
            "onestop.life_events",
            object_type="onestop.lifeevent",
            object_repr="人生事件",
            changes={"names": [n for n, _ in events]},
            message="修改办事大厅的人生事件列表",
            request=request,
        )
        messages.success(request, "人生事件列表已保存：办事大厅和各部门编辑事项时即用新列表。")
        return redirect("onestop_life_events")
    return render(request, "onestop/admin/life_events.html", {"form": form})
