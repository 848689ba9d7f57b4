"""A marshmallow ValidationError as messages a person reads, in the page language: the one place that does it.

Schemas say what is wrong in one of three shapes, and this module turns each into the page
language, so every view (the browse form, the JSON API, the planner, the stall) shows the
same words for the same mistake:
- marshmallow's own messages ("Not a valid number.", "Must be greater than 0 and ..."): their
  English templates are msgids (i18n/core); the values in them are carried over;
- our own messages written as English msgids: looked up as they are;
- the offer schema's and registries' "中文 / English" pairs: the page language's half.
"""

import re
from collections.abc import Iterator, Mapping
from functools import cache

from marshmallow import ValidationError, fields, validate

from web.locale import gettext, language


def _marshmallow_templates() -> list[str]:
    """marshmallow's message templates, built from its own classes so an upgrade keeps them in step."""
    r = validate.Range
    templates = [r.message_min.format(min_op=op) for op in (r.message_gt, r.message_gte)]
    templates += [r.message_max.format(max_op=op) for op in (r.message_lt, r.message_lte)]
    templates += [r.message_all.format(min_op=lo, max_op=hi)
                  for lo in (r.message_gt, r.message_gte) for hi in (r.message_lt, r.message_lte)]
    length = validate.Length
    templates += [length.message_all, length.message_equal, length.message_max, length.message_min,
                  validate.OneOf.default_message, validate.Email.default_message, validate.Equal.default_message]
    for field in (fields.Field, fields.Decimal, fields.Integer, fields.Number, fields.String, fields.Boolean,
                  fields.List, fields.Email, fields.Dict, fields.Nested):
        templates += [m for m in field.default_error_messages.values() if "{obj_type}" not in m]
    templates.append("Unknown field.")
    return sorted(set(templates), key=len, reverse=True)


@cache
def _patterns() -> list[tuple[re.Pattern, str]]:
    out = []
    for template in _marshmallow_templates():
        pattern = re.escape(template)
        for name in re.findall(r"\{(\w+)\}", template):
            pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>.+?)", 1)
        out.append((re.compile(pattern + r"\Z"), template))
    return out


def _halves(message: str) -> tuple[str, str] | None:
    """('中文', 'English') of a '中文 / English' message (a registry's may add '; 中文 / English' hints)."""
    pieces = [p.partition(" / ") for p in message.split("; ")]
    if not all(sep for _, sep, _ in pieces):
        return None
    zh = "; ".join(_with_typed_values(a, b) for a, _, b in pieces)
    return zh, "; ".join(b for _, _, b in pieces)


def _with_typed_values(zh: str, en: str) -> str:
    # The registry puts the typed value only in the English half ("未知的 GPU 型号 / unknown GPU
    # model 'RTX 9999'"), so the Chinese half gets those values appended rather than lose them.
    extra = [q for q in re.findall(r"'[^']*'", en) if q not in zh]
    if not extra and ": " in en and not re.search("[:：]", zh):
        extra = [en.split(": ", 1)[1]]
    return zh + ("：" + " ".join(extra) if extra else "")


def in_language(message: str) -> str:
    """One message in the page language (see the module docstring for the shapes it reads)."""
    message = str(message)
    halves = _halves(message)
    if halves is not None:
        return halves[1] if language() == "en" else halves[0]
    for pattern, template in _patterns():
        found = pattern.match(message)
        if found:
            return gettext(template).format(**found.groupdict())
    return gettext(message)


def _flatten(messages, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix and not isinstance(key, int) else (prefix or str(key))
            yield from _flatten(value, name)
    elif isinstance(messages, list | tuple):
        for value in messages:
            yield from _flatten(value, prefix)
    else:
        yield prefix, str(messages)


def field_messages(exc: ValidationError, whole: str = "_schema") -> dict[str, list[str]]:
    """{field: [message, ...]} in the page language; messages about the whole input under `whole`.

    Nested errors ({"regions": {0: [...]}}) are filed under their top field.
    """
    out: dict[str, list[str]] = {}
    for field, message in _flatten(exc.messages if isinstance(exc.messages, Mapping) else {whole: exc.messages}):
        out.setdefault(field.split(".")[0] or whole, []).append(in_language(message))
    return out


def message_lines(exc: ValidationError, labels: Mapping[str, str] | None = None) -> list[str]:
    """One line per field, 'Label: message; message', for a page that lists the problems together."""
    lines = []
    for field, messages in field_messages(exc, whole="").items():
        label = (labels or {}).get(field)
        lines.append(f"{label}: {'; '.join(messages)}" if label else "; ".join(messages))
    return lines


def nul_at(value, path: str = "") -> str | None:
    """The path (lines.0.program) of the first string, key included, holding U+0000; None when there is none."""
    if isinstance(value, str):
        return (path or "_") if "\x00" in value else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        here = f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and "\x00" in key:
            return here
        if (found := nul_at(item, here)) is not None:
            return found
    return None
