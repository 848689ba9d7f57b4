"""A line's shape, arithmetic and refusals as words in either language (Phrase objects). Pure.

Templates say them with `.text(lang)`; the English msgids and their Chinese live in
i18n/pricing. Domain code never formats these itself.
"""

from datetime import datetime
from decimal import Decimal

from pricing.capacity import SHANGHAI
from pricing.display import Phrase, cny, phrase, phrase_n, quantity, total

ARITHMETIC = {
    "card_hour": "%(a)s × %(b)s × %(price)s/card-hour = %(total)s",
    "core_hour": "%(a)s × %(b)s × %(price)s/core-hour = %(total)s",
    "month": "%(a)s × %(b)s × %(price)s per machine-month = %(total)s",
    "year": "%(a)s × %(b)s × %(price)s per machine-year = %(total)s",
}
TOKEN_ARITHMETIC = "%(a)s × %(price)s per 1M tokens = %(total)s"
QUANTITY_ONLY = {"card_hour": "%(n)s card-hours", "core_hour": "%(n)s core-hours", "month": "%(n)s machine-months",
                 "year": "%(n)s machine-years"}


def _count(n) -> Decimal:
    return Decimal(n or 0)


def _parts(unit: str, instances: int | None, per_instance: Decimal | None, hours: int | None, terms: int | None,
           quantity_: int) -> tuple[Phrase, Phrase | None]:
    """The two counts a line multiplies: (8 cards, 72 hours), (2 machines, 3 months), (5 packs, None)."""
    if unit == "1m_tokens":
        return phrase_n("%(num)s pack of 1M tokens", "%(num)s packs of 1M tokens", _count(quantity_)), None
    if unit in ("month", "year"):
        term = (phrase_n("%(num)s whole month", "%(num)s whole months", _count(terms)) if unit == "month"
                else phrase_n("%(num)s whole year", "%(num)s whole years", _count(terms)))
        return phrase_n("%(num)s machine", "%(num)s machines", _count(instances)), term
    count = _count(instances) * _count(per_instance)
    first = (phrase_n("%(num)s card", "%(num)s cards", count) if unit == "card_hour"
             else phrase_n("%(num)s core", "%(num)s cores", count))
    return first, phrase_n("%(num)s hour", "%(num)s hours", _count(hours))


def line_label(unit: str, instances: int | None, per_instance: Decimal | None, hours: int | None,
               terms: int | None, quantity_: int) -> Phrase:
    """'8 卡 × 72 小时' / '8 cards × 72 hours'; token lines count packs (their quantity).

    A line without a shape (ordered before lines had one) says its quantity in the unit.
    """
    if instances is None and unit in QUANTITY_ONLY:
        return phrase(QUANTITY_ONLY[unit], n=quantity(Decimal(quantity_)))
    a, b = _parts(unit, instances, per_instance, hours, terms, quantity_)
    return phrase("%(a)s × %(b)s", a=a, b=b) if b is not None else a


def line_arithmetic(unit: str, instances: int | None, per_instance: Decimal | None, hours: int | None,
                    terms: int | None, quantity_: int, price: Decimal, line_total: Decimal) -> Phrase:
    """'8 卡 × 72 小时 × ¥17.12/卡时 = ¥9,861.12' (the price shown rounded, the total exact)."""
    a, b = _parts(unit, instances, per_instance, hours, terms, quantity_)
    if b is None:
        return phrase(TOKEN_ARITHMETIC, a=a, price=cny(price), total=total(line_total))
    return phrase(ARITHMETIC[unit], a=a, b=b, price=cny(price), total=total(line_total))


def machines(instances: int, per_instance: Decimal | None, kind: str) -> Phrase:
    """'2 台（每台 8 卡）' / '2 machines of 8 cards'."""
    if kind == "cpu":
        return phrase_n("%(num)s machine of %(per)s cores", "%(num)s machines of %(per)s cores", instances,
                        per=quantity(per_instance))
    return phrase_n("%(num)s machine of %(per)s cards", "%(num)s machines of %(per)s cards", instances,
                    per=quantity(per_instance))


def local_time(at: datetime | None) -> str:
    """A UTC time as Asia/Shanghai wall-clock time: '2026-12-03 22:00'."""
    return "" if at is None else f"{at + SHANGHAI:%Y-%m-%d %H:%M}"


def span_words(start: datetime, end: datetime) -> Phrase:
    return phrase("from %(start)s to %(end)s (Beijing time)", start=local_time(start), end=local_time(end))


def term_effect(unit: str, terms: int) -> Phrase | None:
    """What a prepaid term means for a short job, said before the cart."""
    if unit == "month":
        return phrase("Billed by the whole month: each machine is paid for %(terms)s full months of 730 hours; "
                      "a 72-hour job still pays the whole month.", terms=quantity(Decimal(terms)))
    if unit == "year":
        return phrase("Billed by the whole year: each machine is paid for %(terms)s full years (8,760 hours "
                      "each), however short your job.", terms=quantity(Decimal(terms)))
    return None


QUANTITY_PROBLEMS = {
    "quantity_whole": "Enter whole numbers of at least 1.",
    "instances_whole": "Enter a whole number of machines, at least 1.",
    "hours_whole": "Enter a whole number of hours, at least 1.",
    "terms_whole": "Enter a whole number of billing terms, at least 1.",
    "packs_whole": "Enter a whole number of 1M-token packs, at least 1.",
    "instances_min": "Enter a whole number of machines, at least 1.",
    "hours_min": "Enter a whole number of hours, at least 1.",
    "terms_min": "Enter a whole number of billing terms, at least 1.",
    "packs_min": "Enter a whole number of 1M-token packs, at least 1.",
    "quantity_min": "Enter whole numbers of at least 1.",
    "instances_max": "At most %(high)s machines on one line.",
    "hours_max": "At most %(high)s hours on one line.",
    "terms_max": "At most %(high)s billing terms on one line.",
    "packs_max": "At most %(high)s packs of 1M tokens on one line.",
    "quantity_max": "At most %(high)s card-hours or core-hours on one line.",
    "quantity_fraction": "Each machine of this offer has %(per_instance)s cards or cores: choose a number of "
                         "machines and hours that makes whole card-hours.",
    "count_unknown": "This offer does not state how many cards or cores a machine has, so it cannot be sold "
                     "by the hour.",
    "start_past": "That start has passed: choose the next whole hour or later.",
    "start_too_far": "The start must be within %(days)s days from now.",
}


def quantity_problem(code: str, numbers: dict) -> Phrase:
    """A QuantityError's code and figures as words."""
    values = {k: quantity(Decimal(v)) if isinstance(v, int | Decimal) else v for k, v in numbers.items()}
    return phrase(QUANTITY_PROBLEMS.get(code, "Enter whole numbers of at least 1."), **values)


def capacity_problem(code: str, free: int, per_instance: Decimal | None, kind: str, hour: datetime | None) -> Phrase:
    """'此报价剩余 2 台（每台 8 卡）…' / 'Only 2 machines of 8 cards left…', or the hour outside availability."""
    if code == "outside_window":
        return phrase("This offer cannot be used at %(hour)s (Beijing time): it is outside the hours the vendor "
                      "offers it.", hour=local_time(hour))
    if per_instance is None:
        return phrase("Only %(n)s left on this offer at %(hour)s (Beijing time).", n=quantity(Decimal(free)),
                      hour=local_time(hour))
    return phrase("Only %(machines)s left on this offer at %(hour)s (Beijing time), fewer than you chose.",
                  machines=machines(free, per_instance, kind), hour=local_time(hour))
