"""Stripe's form encoding back into nested dicts and lists: `line_items[0][price_data][currency]=cny`."""

import re

_KEY = re.compile(r"([^\[\]]+)|\[([^\[\]]*)\]")


def decode(pairs: list[tuple[str, str]]) -> dict:
    root: dict = {}
    for key, value in pairs:
        parts = [a or b for a, b in _KEY.findall(key)]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node):
    """Dicts whose keys are 0..n-1 become lists (Stripe arrays)."""
    if not isinstance(node, dict):
        return node
    node = {k: _lists(v) for k, v in node.items()}
    if node and all(k.isdigit() for k in node) and sorted(int(k) for k in node) == list(range(len(node))):
        return [node[str(i)] for i in range(len(node))]
    return node
