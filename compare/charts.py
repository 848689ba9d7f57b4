"""Server-side SVG charts: no JavaScript, no CDN. Every piece of text is escaped here. No Flask.

Labels arrive already translated (the view passes the page language's words), so the same
chart reads in Chinese and English. Colours and sizes are SVG presentation attributes, which
the Content-Security-Policy allows (style attributes it would not).
"""

from datetime import date
from decimal import Decimal
from html import escape

from compare.market import Spread

WIDTH = 760
COLORS = ("#c8102e", "#0b6bcb", "#137333", "#b06000", "#6b3fa0", "#5c6475")
# One colour per billing mode or price side, the same in every chart.
SERIES_COLORS = {"spot": "#b06000", "on_demand": "#0b6bcb", "monthly": "#137333", "yearly": "#6b3fa0",
                 "input_price": "#0b6bcb", "output_price": "#c8102e", "cached_input_price": "#137333"}
FONT = 'font-family="Noto Sans CJK SC, WenQuanYi Micro Hei, PingFang SC, Microsoft YaHei, sans-serif"'


_ORDER = {name: i for i, name in enumerate(SERIES_COLORS)}


def _nice_max(value: Decimal) -> Decimal:
    """A round axis end a little above `value`: 1, 2, 2.5 or 5 × a power of ten."""
    if value <= 0:
        return Decimal(1)
    power = Decimal(10) ** (value.adjusted())
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= power * step:
            return power * step
    return power * 10  # pragma: no cover - 10 always fits


def _fmt(value: Decimal) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:,.2f}"
    return f"{value:.4f}".rstrip("0").rstrip(".") if value else "0"


def _text(x: float, y: float, body: str, anchor: str = "start", size: int = 12, fill: str = "#1d2330",
          weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}" '
            f'font-weight="{weight}" {FONT}>{escape(body)}</text>')


def range_chart(spreads: list[Spread], labels: dict[str, str], title: str, axis: str, offers_word: str) -> str:
    """Horizontal min–max bars with the median marked, one row per billing mode (or price side)."""
    left, right, top, row_h = 190, 40, 46, 52
    plot_w = WIDTH - left - right
    height = top + row_h * max(len(spreads), 1) + 46
    end = _nice_max(max((s.high for s in spreads), default=Decimal(1)))
    scale = plot_w / float(end)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
             f'role="img" aria-label="{escape(title)}" class="chart">',
             f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
             _text(12, 24, title, size=15, weight="bold")]
    axis_y = top + row_h * max(len(spreads), 1)
    for i in range(5):
        value = end * i / 4
        x = left + float(value) * scale
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{axis_y}" stroke="#dfe3ea"/>')
        parts.append(_text(x, axis_y + 16, _fmt(value), anchor="middle", size=11, fill="#5c6475"))
    parts.append(_text(left + plot_w / 2, axis_y + 36, axis, anchor="middle", size=12, fill="#5c6475"))
    for row, s in enumerate(spreads):
        y = top + row * row_h + row_h / 2
        color = SERIES_COLORS.get(s.label, COLORS[row % len(COLORS)])
        x_lo, x_mid, x_hi = (left + float(v) * scale for v in (s.low, s.mid, s.high))
        parts.append(_text(left - 12, y - 2, labels.get(s.label, s.label), anchor="end", size=13, weight="bold"))
        parts.append(_text(left - 12, y + 14, f"{s.count} {offers_word}", anchor="end", size=11, fill="#5c6475"))
        parts.append(f'<rect x="{x_lo:.1f}" y="{y - 7:.1f}" width="{max(x_hi - x_lo, 2):.1f}" height="14" '
                     f'rx="3" fill="{color}" fill-opacity="0.25" stroke="{color}"/>')
        parts.append(f'<rect x="{x_mid - 2:.1f}" y="{y - 11:.1f}" width="4" height="22" fill="{color}"/>')
        parts.append(_text(x_lo, y + 24, _fmt(s.low), anchor="middle", size=11, fill="#5c6475"))
        parts.append(_text(x_mid, y - 14, _fmt(s.mid), anchor="middle", size=11, fill=color, weight="bold"))
        if x_hi - x_lo > 30:
            parts.append(_text(x_hi, y + 24, _fmt(s.high), anchor="middle", size=11, fill="#5c6475"))
    parts.append("</svg>")
    return "".join(parts)


def trend_chart(series: dict[str, list[tuple[date, Decimal]]], labels: dict[str, str], title: str,
                axis: str) -> str:
    """One line per series: the median price on each day a price changed."""
    left, right, top, bottom = 70, 150, 62, 48
    height = 300
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    days = sorted({d for points in series.values() for d, _ in points})
    values = [v for points in series.values() for _, v in points]
    end = _nice_max(max(values, default=Decimal(1)))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
             f'role="img" aria-label="{escape(title)}" class="chart">',
             f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
             _text(12, 24, title, size=15, weight="bold")]
    for i in range(5):
        value = end * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#dfe3ea"/>')
        parts.append(_text(left - 8, y + 4, _fmt(value), anchor="end", size=11, fill="#5c6475"))
    parts.append(_text(14, top - 10, axis, size=11, fill="#5c6475"))
    if not days:
        parts.append("</svg>")
        return "".join(parts)
    span = (days[-1] - days[0]).days or 1

    def xy(day: date, value: Decimal) -> tuple[float, float]:
        x = left + (plot_w * (day - days[0]).days / span if len(days) > 1 else plot_w / 2)
        return x, top + plot_h - plot_h * float(value / end)

    for day in {days[0], days[-1]}:
        x, _ = xy(day, Decimal(0))
        parts.append(_text(x, top + plot_h + 18, day.isoformat(), anchor="middle", size=11, fill="#5c6475"))
    for i, (name, points) in enumerate(sorted(series.items(), key=lambda kv: _ORDER.get(kv[0], 99))):
        color = SERIES_COLORS.get(name, COLORS[i % len(COLORS)])
        coords = [xy(d, v) for d, v in points]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for x, y in coords:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}"/>')
        legend_y = top + 4 + i * 20
        parts.append(f'<rect x="{left + plot_w + 14}" y="{legend_y - 9}" width="12" height="12" fill="{color}"/>')
        last = points[-1][1]
        parts.append(_text(left + plot_w + 32, legend_y + 2, f"{labels.get(name, name)} {_fmt(last)}", size=12))
    parts.append("</svg>")
    return "".join(parts)
