"""Ids from the outside world: one bound and one parser for path, query and form ids.

Werkzeug's int converter takes any size of number, so /offers/9223372036854775808 reached
the query and failed there (OverflowError on SQLite, "out of range for type integer" on
PostgreSQL): a 500. Our primary keys are INTEGER (32-bit on PostgreSQL); bounded to that,
such a URL is simply not found (404). Query and form ids (`/compare?ids=`, the cart's
`offer_id`, an order id in a webhook's metadata) go through `parse_id`, the same rule.
Flask-free at import, so plain domain modules may use `parse_id` too.
"""

import re
from typing import TYPE_CHECKING

from marshmallow import ValidationError, fields
from werkzeug.routing import IntegerConverter

if TYPE_CHECKING:
    from flask import Flask

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER, what every primary key here is
# ASCII digits only: str.isdigit() also says yes to "²" and "١", which int() then refuses or
# reads. At most 10 digits (MAX_ID has 10), so a 5,000-digit id is never even converted.
_ID = re.compile(r"[0-9]{1,10}")


def parse_id(text: object) -> int | None:
    """The id `text` names (1..MAX_ID, plain ASCII digits), or None when it cannot be one."""
    if isinstance(text, bool) or not isinstance(text, str | int):
        return None
    text = str(text)
    if not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


class Id(fields.Field):
    """A marshmallow field for an id sent in a form or a query: `parse_id`'s rule, a clear message."""

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        parsed = parse_id(value)
        if parsed is None:
            raise ValidationError(f"must be a whole number from 1 to {MAX_ID}")
        return parsed


class BoundedIntegerConverter(IntegerConverter):
    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max, signed=signed)


def configure(app: "Flask") -> None:
    """Install before any route is added (rules take their converter when they are added)."""
    app.url_map.converters["int"] = BoundedIntegerConverter
