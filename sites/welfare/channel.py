"""What the agricultural channel shows: each kind's last good data and its age, price tables
with server-rendered SVG trend charts."""

from collections import defaultdict
from decimal import Decimal

from django.utils import timezone
from django.utils.html import format_html, format_html_join

from .models import FeedRecord, FeedSource

CHART_W, CHART_H, PAD = 320, 120, 24


def _age(moment) -> str:
    if moment is None:
        return "尚无数据"
    minutes = int((timezone.now() - moment).total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} 分钟前"
    if minutes < 48 * 60:
        return f"{minutes // 60} 小时前"
    return f"{minutes // 1440} 天前"


def sections() -> dict:
    """kind → {sources, updated_at, age, stale, failing, records}"""
    result = {}
    for kind, label in FeedSource.Kind.choices:
        sources = list(FeedSource.objects.filter(kind=kind, enabled=True))
        if not sources:
            continue
        updated = [s.last_success_at for s in sources if s.last_success_at]
        latest = max(updated) if updated else None
        records = list(
            FeedRecord.objects.filter(source__in=sources).order_by("-published_at", "key")[:500]
        )
        result[kind] = {
            "label": label,
            "sources": sources,
            "updated_at": latest,
            "age": _age(latest),
            "stale": any(s.is_stale for s in sources),
            "failing": [s for s in sources if s.failing],
            "records": records,
        }
    return result


def price_series(records) -> list[dict]:
    """product (and market) → its prices by date, oldest first, with a chart."""
    series = defaultdict(list)
    units = {}
    for record in records:
        data = record.data
        name = data["product"] + (f"（{data['market']}）" if data.get("market") else "")
        series[name].append((data["date"], Decimal(data["price"])))
        units[name] = data["unit"]
    result = []
    for name, points in sorted(series.items()):
        points.sort()
        latest, previous = points[-1][1], points[-2][1] if len(points) > 1 else None
        change = None if previous in (None, 0) else (latest - previous) * 100 / previous
        result.append(
            {
                "name": name,
                "unit": units[name],
                "latest": latest,
                "date": points[-1][0],
                "change": change,
                "chart": trend_chart(name, points, units[name]),
            }
        )
    return result


def trend_chart(name, points, unit) -> str:
    """A small line chart as inline SVG (no script, no library): price over the dates."""
    if len(points) < 2:
        return ""
    values = [float(v) for _, v in points]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (CHART_W - 2 * PAD) / (len(points) - 1)
    coords = [
        (PAD + i * step, CHART_H - PAD - (v - low) * (CHART_H - 2 * PAD) / span)
        for i, v in enumerate(values)
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="2.5"><title>{}：{} {}</title></circle>',
        (
            (f"{x:.1f}", f"{y:.1f}", d, v, unit)
            for (x, y), (d, v) in zip(coords, points, strict=True)
        ),
    )
    return format_html(
        '<svg class="price-chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{name}价格走势：{first}至{last}，{low}至{high}{unit}">'
        '<text x="{pad}" y="14" font-size="11">{high}</text>'
        '<text x="{pad}" y="{bottom}" font-size="11">{low}</text>'
        '<polyline fill="none" stroke="currentColor" stroke-width="2" points="{path}"/>{dots}'
        '<text x="{pad}" y="{h}" font-size="10">{first}</text>'
        '<text x="{right}" y="{h}" font-size="10" text-anchor="end">{last}</text></svg>',
        w=CHART_W,
        h=CHART_H,
        pad=PAD,
        bottom=CHART_H - PAD + 12,
        right=CHART_W - PAD,
        name=name,
        first=points[0][0],
        last=points[-1][0],
        low=f"{low:g}",
        high=f"{high:g}",
        unit=unit,
        path=path,
        dots=dots,
    )


def channel_context() -> dict:
    found = sections()
    prices = found.get(FeedSource.Kind.PRICE)
    return {
        "sections": found,
        "prices": price_series(prices["records"]) if prices else [],
        "Kind": FeedSource.Kind,
    }
