"""An offer's price history as a server-side SVG step chart: no JavaScript, no CDN, every label escaped.

The caller passes the words and number formats (so the chart speaks the page's language);
this module only lays them out. Prices hold until the next re-price, hence a step line.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from html import escape

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 78, 24, 34, 40
Y_TICKS = 4


@dataclass(frozen=True)
class ChartLabels:
    title: str  # read by screen readers: "价格走势" / "Price history"
    unit: str  # the y axis: "¥ / 卡时"
    format_price: Callable[[Decimal], str]
    format_date: Callable[[datetime], str]


def _y_range(prices: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    low, high = min(prices), max(prices)
    if low == high:
        pad = abs(low) * Decimal("0.2") or Decimal(1)
        return max(low - pad, Decimal(0)), high + pad
    pad = (high - low) * Decimal("0.15")
    return max(low - pad, Decimal(0)), high + pad


def price_history_svg(points: Sequence[tuple[datetime, Decimal]], now: datetime, labels: ChartLabels) -> str:
    """An SVG of (time, price) points, oldest first, with the last price held until `now`."""
    if not points:
        return ""
    start = points[0][0]
    end = max(now, points[-1][0])
    if end - start < timedelta(days=1):
        start = end - timedelta(days=1)
    span = (end - start).total_seconds()
    low, high = _y_range([p for _, p in points])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(at: datetime) -> float:
        return LEFT + plot_w * (at - start).total_seconds() / span

    def y(price: Decimal) -> float:
        return TOP + plot_h * float((high - price) / (high - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="price-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(labels.title)}">',
        f"<title>{escape(labels.title)}</title>",
    ]
    for i in range(Y_TICKS + 1):
        value = low + (high - low) * Decimal(i) / Decimal(Y_TICKS)
        ty = y(value)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" '
                     f'stroke="#e3e7ee" stroke-width="1"/>')
        parts.append(f'<text class="tick" x="{LEFT - 8}" y="{ty + 4:.1f}" text-anchor="end" font-size="12" '
                     f'fill="#5c6475">{escape(labels.format_price(value))}</text>')
    parts.append(f'<text class="axis-unit" x="{LEFT - 8}" y="{TOP - 18}" text-anchor="end" font-size="11" '
                 f'fill="#5c6475">{escape(labels.unit)}</text>')
    for at, anchor in ((start, "start"), (end, "end")):
        parts.append(f'<text class="tick" x="{x(at):.1f}" y="{HEIGHT - 14}" text-anchor="{anchor}" font-size="12" '
                     f'fill="#5c6475">{escape(labels.format_date(at))}</text>')

    path = []
    for i, (at, price) in enumerate(points):
        px, py = x(max(at, start)), y(price)
        path.append(f"M{px:.1f},{py:.1f}" if i == 0 else f"H{px:.1f}V{py:.1f}")
    path.append(f"H{x(end):.1f}")
    parts.append(f'<path class="line" d="{"".join(path)}" fill="none" stroke="#c8102e" stroke-width="2.5"/>')
    for at, price in points:
        parts.append(f'<circle class="dot" cx="{x(max(at, start)):.1f}" cy="{y(price):.1f}" r="4" fill="#c8102e">'
                     f"<title>{escape(labels.format_date(at))}: {escape(labels.format_price(price))}</title></circle>")
    last = points[-1][1]
    parts.append(f'<text class="last" x="{x(end) - 4:.1f}" y="{y(last) - 8:.1f}" text-anchor="end" font-size="13" '
                 f'font-weight="700" fill="#c8102e">{escape(labels.format_price(last))}</text>')
    parts.append("</svg>")
    return "".join(parts)
