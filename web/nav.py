"""The top navigation: each area adds its own entries, so the layout knows no area by name."""

from dataclasses import dataclass

from flask import Flask, request


@dataclass(frozen=True)
class NavItem:
    order: int
    endpoint: str
    label: str  # an English msgid, translated in the template


def add_nav(app: Flask, order: int, endpoint: str, label: str) -> None:
    app.extensions.setdefault("nav", []).append(NavItem(order, endpoint, label))


def init_app(app: Flask) -> None:
    @app.context_processor
    def navigation():
        items = sorted(app.extensions.get("nav", []), key=lambda i: i.order)
        return {"nav_items": items, "current_endpoint": request.endpoint}

    app.add_template_filter(merge_query, "merge_query")


def merge_query(args: dict, **changes) -> str:
    """The current query string with some parameters replaced (None removes one)."""
    from urllib.parse import urlencode

    merged = {**args, **changes}
    return urlencode({k: v for k, v in merged.items() if v is not None and v != ""})
