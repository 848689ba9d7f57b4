"""Stripe's form encoding back into nested dicts and lists: `line_items[0][price_data][currency]=cny`."""

import re

_KEY = re.compile(r"([^\[\]]+)|\[([^\[\]]*)\]")
_INDEX = re.compile(r"[0-9]{1,4}")  # ASCII digits ("²".isdigit() is true too), small enough for a list
# Stripe's own parameters nest at most 5 deep (line_items[0][price_data][product_data][metadata][k]);
# deeper is never a Stripe call, and a thousand levels would exhaust the stack below.
MAX_DEPTH = 6


class FormError(ValueError):
    """A parameter name that makes no Stripe object; `param` names it as Stripe would."""

    def __init__(self, message: str, param: str):
        super().__init__(message)
        self.param = param


def _name(parts: list[str]) -> str:
    return parts[0] + "".join(f"[{p}]" for p in parts[1:])


def decode(pairs: list[tuple[str, str]]) -> dict:
    """:raise FormError: an empty name, nesting past MAX_DEPTH, or one name both a value and a hash."""
    root: dict = {}
    for key, value in pairs:
        parts = [a or b for a, b in _KEY.findall(key)]
        if not parts:
            raise FormError(f"Invalid parameter name: {key!r}", param=key)
        if len(parts) > MAX_DEPTH:
            raise FormError(f"Parameters nest at most {MAX_DEPTH} levels deep", param=parts[0])
        node = root
        for i, part in enumerate(parts[:-1]):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise FormError(f"Invalid hash: {_name(parts[:i + 1])} is sent both as a value and as a hash",
                                param=_name(parts[:i + 1]))
            node = child
        if isinstance(node.get(parts[-1]), dict):
            raise FormError(f"Invalid hash: {_name(parts)} is sent both as a value and as a hash",
                            param=_name(parts))
        node[parts[-1]] = value
    return _lists(root)


def _lists(node):
    """Dicts whose keys are 0..n-1 become lists (Stripe arrays)."""
    if not isinstance(node, dict):
        return node
    node = {k: _lists(v) for k, v in node.items()}
    if node and all(_INDEX.fullmatch(k) for k in node) and sorted(int(k) for k in node) == list(range(len(node))):
        return [node[str(i)] for i in range(len(node))]
    return node
