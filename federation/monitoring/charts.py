"""Score trends drawn on the server as SVG (no script, no CDN): a line over the days, a red
dot where the site was vetoed. Everything interpolated is a number or escaped text."""

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe


def trend_svg(cards, width=320, height=80, *, label="得分趋势") -> str:
    """`cards`: (day, score, vetoed) oldest first."""
    cards = list(cards)
    pad = 6
    if not cards:
        return format_html(
            '<svg class="score-trend" role="img" aria-label="{}：暂无数据" width="{}" height="{}"></svg>',
            label,
            width,
            height,
        )
    step = (width - 2 * pad) / max(len(cards) - 1, 1)

    def y(score):
        return round(height - pad - float(score) / 100 * (height - 2 * pad), 1)

    points = [(round(pad + i * step, 1), y(score)) for i, (_, score, _) in enumerate(cards)]
    line = " ".join(f"{x},{yy}" for x, yy in points)
    dots = "".join(
        f'<circle cx="{x}" cy="{yy}" r="{3 if vetoed else 2}" fill="{"#c62828" if vetoed else "#1565c0"}">'
        f"<title>{escape(f'{day:%Y-%m-%d}')} {float(score):.1f}{' 单项否决' if vetoed else ''}</title></circle>"
        for (x, yy), (day, score, vetoed) in zip(points, cards, strict=True)
    )
    first, last = cards[0], cards[-1]
    summary = f"{label}：{first[0]:%m-%d} {float(first[1]):.1f} 分 → {last[0]:%m-%d} {float(last[1]):.1f} 分"
    grid = f'<line x1="{pad}" y1="{y(60)}" x2="{width - pad}" y2="{y(60)}" stroke="#ccc" stroke-dasharray="3,3"/>'
    return mark_safe(  # noqa: S308 (numbers and escaped text only)
        f'<svg class="score-trend" role="img" aria-label="{escape(summary)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f"{grid}"
        f'<polyline fill="none" stroke="#1565c0" stroke-width="1.5" points="{line}"/>{dots}</svg>'
    )
