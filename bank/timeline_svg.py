"""The schedule as a server-side SVG timeline: one row per region, a bar per block. Every text escaped here. No Flask.

Labels arrive translated (the view passes the page language's words); colours and sizes are SVG
presentation attributes, which the Content-Security-Policy allows.
"""

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from html import escape

from pricing.availability import local
from pricing.capacity import HOUR

WIDTH = 760
COLORS = ("#0b6bcb", "#137333", "#b06000", "#6b3fa0", "#c8102e", "#5c6475")
FONT = 'font-family="Noto Sans CJK SC, WenQuanYi Micro Hei, PingFang SC, Microsoft YaHei, sans-serif"'


def _text(x: float, y: float, body: str, anchor: str = "start", size: int = 12, fill: str = "#1d2330") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}" {FONT}>{escape(body)}</text>'


def timeline(blocks: Sequence, start: datetime, hours: int, region_label: Callable[[str | None], str], title: str,
             baseline_label: str, baseline: Sequence = ()) -> str:
    """Rows per region (in the order their first block runs), then the baseline's row in grey."""
    left, right, top, row_h = 150, 20, 44, 34
    regions: list[str | None] = []
    for block in blocks:
        if block.candidate.region not in regions:
            regions.append(block.candidate.region)
    rows = len(regions) + (1 if baseline else 0)
    height = top + row_h * max(rows, 1) + 34
    plot_w = WIDTH - left - right
    per_hour = plot_w / max(hours, 1)

    def x_of(moment: datetime) -> float:
        return left + (moment - start) / HOUR * per_hour

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
             f'aria-label="{escape(title)}" class="chart schedule-timeline">',
             f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
             _text(12, 24, title, size=15)]
    axis_y = top + row_h * max(rows, 1)
    # a tick at each local midnight, labelled with the date
    first = local(start)
    midnight = first.replace(hour=0) + timedelta(days=1)
    end = start + hours * HOUR
    while local(end) > midnight:
        x = left + (midnight - first).total_seconds() / 3600 * per_hour
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{axis_y}" stroke="#dfe3ea"/>')
        parts.append(_text(x, axis_y + 16, midnight.strftime("%m-%d"), anchor="middle", size=11, fill="#5c6475"))
        midnight += timedelta(days=1)
    parts.append(_text(left, axis_y + 16, first.strftime("%m-%d %H:00"), anchor="start", size=11, fill="#5c6475"))
    for row, region in enumerate(regions):
        y = top + row * row_h
        color = COLORS[row % len(COLORS)]
        parts.append(_text(left - 10, y + row_h / 2 + 4, region_label(region), anchor="end", size=13))
        for block in blocks:
            if block.candidate.region == region:
                x0, x1 = x_of(block.start), x_of(block.end)
                parts.append(f'<rect x="{x0:.1f}" y="{y + 6:.1f}" width="{max(x1 - x0, 2):.1f}" height="{row_h - 12}" '
                             f'rx="3" fill="{color}" fill-opacity="0.8"><title>{escape(str(block.cost))}</title></rect>')
                if x1 - x0 > 40:
                    parts.append(_text((x0 + x1) / 2, y + row_h / 2 + 4, f"{block.hours}h", anchor="middle",
                                       size=11, fill="#ffffff"))
    if baseline:
        y = top + len(regions) * row_h
        parts.append(_text(left - 10, y + row_h / 2 + 4, baseline_label, anchor="end", size=13, fill="#5c6475"))
        for block in baseline:
            x0, x1 = x_of(block.start), x_of(block.end)
            parts.append(f'<rect x="{x0:.1f}" y="{y + 6:.1f}" width="{max(x1 - x0, 2):.1f}" height="{row_h - 12}" '
                         f'rx="3" fill="#c3c8d2"/>')
    parts.append("</svg>")
    return "".join(parts)
