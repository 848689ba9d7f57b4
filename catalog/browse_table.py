"""The browse table's columns: which are shown for a listing, and each header's sort link. No request.

Sorting is server-side and lives in the URL (`?sort=…`): a header links to its sort, and a second
click on the current one flips it (asc ↔ desc) where the key has both directions. The column
that holds the sort's value is always shown (the picker may not hide it).
"""

from typing import NamedTuple

from web.locale import lazy_gettext
from web.nav import merge_query

PER_PAGE_CHOICES = (20, 50, 100)
DEFAULT_SORT = "unit_price"
DURATION_SORT = "effective_price"
# Sort keys that read newest / largest first without a leading "-".
DESCENDING = {"updated_at"}


class Column(NamedTuple):
    key: str  # the cells' class is c-<key>; the picker remembers keys
    label: object  # a lazy translated string
    sorts: tuple[str, ...] = ()  # (first click, second click)
    num: bool = False
    hidden: bool = False  # off until the buyer picks it (or sorts by it)
    hidden_for_a_job: bool = False  # off by default once a job's length is given (its total says the term)


class Header(NamedTuple):
    key: str
    label: str
    num: bool
    href: str | None  # the sort link, None when the column does not sort
    arrow: str  # '▲' / '▼' on the current sort's column, else ''
    aria_sort: str | None  # 'ascending' / 'descending' on the current sort's column
    locked: bool  # holds the current sort's value: always shown


SPEC = Column("spec", lazy_gettext("Configuration"))
REGION = Column("region", lazy_gettext("Region"))
BILLING = Column("billing", lazy_gettext("Billing"))
MIN_TERM = Column("term", lazy_gettext("Minimum term"), hidden_for_a_job=True)
PRICE = Column("price", lazy_gettext("Normalized price"), ("unit_price", "-unit_price"), num=True)
PER_TFLOPS = Column("ppt", lazy_gettext("Price per TFLOPS-hour"), ("price_per_tflop_hour", "-price_per_tflop_hour"),
                    num=True, hidden=True)
EFFECTIVE = Column("effective", lazy_gettext("Price for this job"), ("effective_price", "-effective_price"), num=True)
JOB_TOTAL = Column("total", lazy_gettext("Job total"), num=True)
LISTED = Column("listed", lazy_gettext("Listed price"), num=True)
STOCK = Column("stock", lazy_gettext("Stock"), num=True)
UPDATED = Column("updated", lazy_gettext("Updated"), ("updated_at",))
TOKEN_INPUT = Column("input", lazy_gettext("Input"), num=True)
TOKEN_CACHED = Column("cached", lazy_gettext("Cached input"), num=True)
TOKEN_OUTPUT = Column("output", lazy_gettext("Output"), num=True)
# With a voucher programme (?program=): the normalized price after its shares, at most ("up to").
VOUCHER = Column("voucher", lazy_gettext("After voucher"), num=True)
TOKEN_BLENDED = Column("price", lazy_gettext("Blended 3:1"), ("unit_price", "-unit_price"), num=True)


def columns_for(kind: str | None, with_duration: bool, with_program: bool = False) -> list[Column]:
    """The columns after the compare tick and the offer: a token listing prices input, cached input
    and output apart; a job's length adds its effective price and total beside the normalized one;
    a voucher programme its price after the voucher."""
    voucher = [VOUCHER] if with_program else []
    if kind == "token":
        return [SPEC, REGION, TOKEN_INPUT, TOKEN_CACHED, TOKEN_OUTPUT, TOKEN_BLENDED, LISTED, STOCK, *voucher, UPDATED]
    job = [EFFECTIVE, JOB_TOTAL] if with_duration else []
    return [SPEC, REGION, BILLING, MIN_TERM, PRICE, PER_TFLOPS, *job, *voucher, LISTED, STOCK, UPDATED]


def current_sort(args: dict[str, str]) -> str:
    return args.get("sort") or (DURATION_SORT if args.get("duration_hours") else DEFAULT_SORT)


def headers(columns: list[Column], args: dict[str, str], browse_url: str) -> list[Header]:
    sort = current_sort(args)
    out = []
    for col in columns:
        chosen = sort in col.sorts
        href = None
        if col.sorts:
            following = col.sorts[(col.sorts.index(sort) + 1) % len(col.sorts)] if chosen else col.sorts[0]
            href = f"{browse_url}?{merge_query(args, sort=following, page=None)}"
        descending = sort.startswith("-") or sort in DESCENDING
        out.append(Header(col.key, str(col.label), col.num, href,
                          ("▼" if descending else "▲") if chosen else "",
                          ("descending" if descending else "ascending") if chosen else None, chosen))
    return out


def hidden_keys(columns: list[Column], args: dict[str, str]) -> list[str]:
    """Columns off by default for this view (never the one holding the sort's value)."""
    sort = current_sort(args)
    job = bool(args.get("duration_hours"))
    return [c.key for c in columns if (c.hidden or job and c.hidden_for_a_job) and sort not in c.sorts]
