"""URL converters: an <int:…> in a route matches only ids a database column can hold.

Werkzeug's int converter takes any size of number, so /offers/9223372036854775808 reached
the query and failed there (OverflowError on SQLite, "out of range for type integer" on
PostgreSQL): a 500. Our primary keys are INTEGER (32-bit on PostgreSQL); bounded to that,
such a URL is simply not found (404).
"""

from flask import Flask
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER, what every primary key here is


class BoundedIntegerConverter(IntegerConverter):
    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max, signed=signed)


def configure(app: Flask) -> None:
    """Install before any route is added (rules take their converter when they are added)."""
    app.url_map.converters["int"] = BoundedIntegerConverter
