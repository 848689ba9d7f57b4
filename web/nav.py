"""The top navigation: each area adds its own entries, so the layout knows no area by name."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, request


@dataclass(frozen=True)
class NavItem:
    order: int
    endpoint: str
    label: str  # an English msgid, translated in the template


def add_nav(app: Flask, order: int, endpoint: str, label: str) -> None:
    app.extensions.setdefault("nav", []).append(NavItem(order, endpoint, label))


def add_nav_badge(app: Flask, endpoint: str, count: Callable[[], int]) -> None:
    """Show `count()` (when above 0) beside the entry of `endpoint`, e.g. a signed-in user's unread notices."""
    app.extensions.setdefault("nav_badges", {})[endpoint] = count


def add_header_part(app: Flask, template: str) -> None:
    """A template the header includes on every page (the compare tray), after the menu."""
    app.extensions.setdefault("header_parts", []).append(template)


def init_app(app: Flask) -> None:
    @app.context_processor
    def navigation():
        items = sorted(app.extensions.get("nav", []), key=lambda i: i.order)
        badges = {endpoint: count() for endpoint, count in app.extensions.get("nav_badges", {}).items()}
        return {"nav_items": items, "current_endpoint": request.endpoint, "nav_badges": badges,
                "header_parts": app.extensions.get("header_parts", [])}

    app.add_template_filter(merge_query, "merge_query")


def pager(current: int, last: int, around: int = 2) -> list[int | None]:
    """The page numbers a pager shows: the first, the last and `around` either side of the
    current one, with None where a gap (…) goes. Computed here, not looped over in the
    template: at 100,000 offers a view has thousands of pages.
    """
    shown = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - out[-1] > 1:  # out[-1] is never None here: a gap is always followed by a number
            out.append(None if n - out[-1] > 2 else n - 1)
        out.append(n)
    return out


def merge_query(args: dict, **changes) -> str:
    """The current query string with some parameters replaced (None removes one)."""
    from urllib.parse import urlencode

    merged = {**args, **changes}
    return urlencode({k: v for k, v in merged.items() if v is not None and v != ""})
