"""A programme's budget as a server-side SVG bar: used and left. Escapes its own text. No Flask."""

from decimal import Decimal
from html import escape

WIDTH, HEIGHT = 560, 28
USED, LEFT = "#c8102e", "#137333"


def budget_bar(budget: Decimal, used: Decimal, title: str) -> str:
    """`title`: the already-translated words a screen reader and a hover say ('已用 ¥0，剩余 ¥2.5 亿')."""
    share = min(Decimal(1), max(Decimal(0), used / budget)) if budget > 0 else Decimal(0)
    used_width = int((share * WIDTH).to_integral_value())
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
            f'height="{HEIGHT}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
            f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" rx="4" fill="{LEFT}"/>'
            f'<rect x="0" y="0" width="{used_width}" height="{HEIGHT}" rx="4" fill="{USED}"/></svg>')
