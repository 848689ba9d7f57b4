"""Who pays what of an order under a compute-voucher programme (spec §7): government, platform, company.

A line's rate comes from the first rule whose `when` matches it; the programme's vendor and region
lists decide whether a line can be eligible at all. Per order, the government share is
min(Σ eligible × rate, the company's remaining cap, the programme's remaining budget) and the platform
share Σ eligible × platform_rate, each rounded DOWN to the fen; the company pays the rest. Both
shares go back over the lines by largest remainder, so the lines add up to the order exactly, and no
line gets more than its own eligible × rate rounded up to the fen, nor more than it costs.

Pure: Decimal in, Decimal out, exact rationals inside; no Flask, no database.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

FEN = 100  # minor units per yuan

# The `when` keys of a rule (spec §7): lists match when the line's value is in them, booleans when equal.
LIST_KEYS = ("kind", "gpu_model", "model", "billing")
FLAG_KEYS = ("domestic_chip", "filed_model")
WHEN_KEYS = LIST_KEYS + FLAG_KEYS


class CappedBy(StrEnum):
    COMPANY_CAP = "company_cap"
    PROGRAM_BUDGET = "program_budget"


class Reason(StrEnum):
    """Why a line is or is not eligible; a page says it in words (vouchers/words.py)."""

    RULE = "rule"  # matched rule number `rule` (1-based)
    NO_RULE = "no_rule"
    VENDOR = "vendor_not_covered"
    REGION = "region_not_covered"
    NOT_IN_FORCE = "not_in_force"
    AFFILIATED = "affiliated"  # the buying company is affiliated with the line's vendor


@dataclass(frozen=True)
class Rule:
    """`when`: each key a list of values or a boolean; an empty `when` matches every line."""

    rate: Decimal
    when: Mapping[str, object] = field(default_factory=dict)

    def matches(self, line: "VoucherLine") -> bool:
        for key, wanted in self.when.items():
            value = getattr(line, key)
            if key in FLAG_KEYS:
                if bool(value) is not bool(wanted):
                    return False
            elif value not in wanted:
                return False
        return True


@dataclass(frozen=True)
class Terms:
    """What the split needs of a programme. `offer_regions` is already expanded to region ids."""

    rules: tuple[Rule, ...]
    platform_rate: Decimal = Decimal(0)
    vendors: frozenset[str] = frozenset()  # empty: every vendor
    offer_regions: frozenset[str] = frozenset()  # empty: anywhere
    cap_per_company_per_year: Decimal | None = None  # None: no cap
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(frozen=True)
class VoucherLine:
    """One order line's facts and its total (already rounded to the fen, pricing.line_total)."""

    total: Decimal
    kind: str
    billing: str
    vendor: str = ""
    region: str | None = None
    gpu_model: str | None = None
    model: str | None = None
    domestic_chip: bool = False
    filed_model: bool = False
    # The buyer is affiliated with the vendor (accounts.is_affiliated): a voucher is never spent at one's own stall.
    affiliated: bool = False


@dataclass(frozen=True)
class LineShare:
    total: Decimal
    eligible: Decimal
    rate: Decimal
    government: Decimal
    platform: Decimal
    company: Decimal
    reason: Reason
    rule: int | None = None  # 1-based number of the matching rule


@dataclass(frozen=True)
class Split:
    total: Decimal
    government: Decimal
    platform: Decimal
    company: Decimal
    capped_by: CappedBy | None
    lines: tuple[LineShare, ...]


def line_rate(line: VoucherLine, terms: Terms, on: date | None = None) -> tuple[Decimal, Reason, int | None]:
    """The rate a line earns, why, and the number of the rule that gave it (None when none did)."""
    if on is not None and ((terms.valid_from and on < terms.valid_from) or (terms.valid_to and on > terms.valid_to)):
        return Decimal(0), Reason.NOT_IN_FORCE, None
    if line.affiliated:
        return Decimal(0), Reason.AFFILIATED, None
    if terms.vendors and line.vendor not in terms.vendors:
        return Decimal(0), Reason.VENDOR, None
    if terms.offer_regions and line.region not in terms.offer_regions:
        return Decimal(0), Reason.REGION, None
    for number, rule in enumerate(terms.rules, start=1):
        if rule.matches(line):
            return rule.rate, Reason.RULE, number
    return Decimal(0), Reason.NO_RULE, None


def _fen(amount: Decimal) -> int:
    fen = Fraction(amount) * FEN
    if fen.denominator != 1:
        raise ValueError(f"{amount} is not a whole number of fen")
    return int(fen)


def _yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


def _ceil(x: Fraction) -> int:
    return -((-x.numerator) // x.denominator)


def largest_remainder(amount: int, weights: Sequence[Fraction], caps: Sequence[int]) -> list[int]:
    """Split `amount` whole units over weights in proportion: floors first, then one unit each by
    largest remainder (ties to the earlier line), never past a line's cap. Needs Σ caps ≥ amount."""
    whole = sum(weights, Fraction(0))
    if amount == 0 or whole == 0:
        return [0] * len(weights)
    ideal = [amount * w / whole for w in weights]
    shares = [min(int(q), cap) for q, cap in zip(ideal, caps, strict=True)]
    left = amount - sum(shares)
    order = sorted(range(len(weights)), key=lambda i: (-(ideal[i] - int(ideal[i])), i))
    while left > 0:
        given = False
        for i in order:
            if left and shares[i] < caps[i]:
                shares[i] += 1
                left -= 1
                given = True
        if not given:
            raise ValueError("the caps hold less than the amount to split")
    return shares


def split_order(lines: Sequence[VoucherLine], terms: Terms, *, subsidised_this_year: Decimal = Decimal(0),
                remaining_budget: Decimal | None = None, on: date | None = None) -> Split:
    """The order's shares and each line's part of them. `remaining_budget` None: no budget limit.

    :raise ValueError: a line total that is not whole fen.
    """
    totals = [_fen(line.total) for line in lines]
    rated = [line_rate(line, terms, on) for line in lines]
    eligible = [total if reason is Reason.RULE else 0 for total, (_, reason, _) in zip(totals, rated, strict=True)]
    raw_gov = [e * Fraction(rate) for e, (rate, _, _) in zip(eligible, rated, strict=True)]
    raw_platform = [e * Fraction(terms.platform_rate) for e in eligible]

    wanted = sum(raw_gov, Fraction(0))
    limits = []
    if terms.cap_per_company_per_year is not None:
        cap_left = max(Fraction(0), Fraction(terms.cap_per_company_per_year - subsidised_this_year) * FEN)
        limits.append((cap_left, CappedBy.COMPANY_CAP))
    if remaining_budget is not None:
        limits.append((max(Fraction(0), Fraction(remaining_budget) * FEN), CappedBy.PROGRAM_BUDGET))
    government, capped_by = wanted, None
    for limit, name in sorted(limits, key=lambda pair: pair[0]):  # the tighter limit names the cap
        if limit < government:
            government, capped_by = limit, name
    government_fen = int(government)  # rounded down to the fen
    platform_fen = int(sum(raw_platform, Fraction(0)))

    platform = largest_remainder(platform_fen, raw_platform, [_ceil(p) for p in raw_platform])
    room = [min(total - p, _ceil(g)) for total, p, g in zip(totals, platform, raw_gov, strict=True)]
    gov = largest_remainder(government_fen, raw_gov, room)

    shares = tuple(
        LineShare(total=_yuan(total), eligible=_yuan(e), rate=rate if reason is Reason.RULE else Decimal(0),
                  government=_yuan(g), platform=_yuan(p), company=_yuan(total - g - p), reason=reason, rule=rule)
        for total, e, (rate, reason, rule), g, p in zip(totals, eligible, rated, gov, platform, strict=True))
    total_fen = sum(totals)
    return Split(total=_yuan(total_fen), government=_yuan(government_fen), platform=_yuan(platform_fen),
                 company=_yuan(total_fen - government_fen - platform_fen), capped_by=capped_by, lines=shares)


def after_voucher(unit_price: Decimal, rate: Decimal, platform_rate: Decimal) -> Decimal:
    """What the company pays per unit of an eligible offer, for display: price × (1 − rate − platform_rate).

    Exact (no rounding): an order's shares are rounded per order by split_order, never per unit.
    """
    return unit_price * (1 - rate - platform_rate)
