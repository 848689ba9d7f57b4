"""A programme in plain words, in the page language: who may apply, which lines, at what rate. No maths."""

from dataclasses import dataclass
from decimal import Decimal

from babel.lists import format_list

from vouchers.models import VoucherProgram
from web.format import billing_label, gpu_name, kind_label, region_name, token_model_name
from web.locale import gettext as _
from web.locale import language

REASONS = {
    "rule": "Eligible",
    "no_rule": "No rule of the programme covers this offer",
    "vendor_not_covered": "This vendor is not on the programme's list",
    "region_not_covered": "The programme does not cover this region",
    "not_in_force": "The programme is not in force today",
    "affiliated": "Your company is affiliated with this vendor",
}


@dataclass(frozen=True)
class RuleWords:
    number: int
    lines: str  # which lines, in words
    rate: Decimal


def percent(rate: Decimal) -> str:
    """0.30 -> '30%' (both languages write it so)."""
    return f"{(Decimal(rate) * 100).normalize():f}%"


def _names(ids: list[str], name) -> str:
    """'GPU、CPU和大模型' / 'GPU, CPU, and tokens': Babel's list words for the page language."""
    return format_list([name(i) for i in ids], locale=language())


def rule_lines(when: dict, first: bool) -> str:
    """The lines a rule's `when` covers: 'GPU, on a domestic chip', 'every line'."""
    parts = []
    if when.get("kind"):
        parts.append(_names(when["kind"], kind_label))
    if when.get("domestic_chip") is True:
        parts.append(_("on a domestic (Chinese-designed) chip"))
    elif when.get("domestic_chip") is False:
        parts.append(_("not on a domestic chip"))
    if when.get("filed_model") is True:
        parts.append(_("a model filed for generative AI service in China"))
    elif when.get("filed_model") is False:
        parts.append(_("a model not filed in China"))
    if when.get("gpu_model"):
        parts.append(_names(when["gpu_model"], gpu_name))
    if when.get("model"):
        parts.append(_names(when["model"], token_model_name))
    if when.get("billing"):
        parts.append(_names(when["billing"], billing_label))
    if not parts:
        return _("Every eligible line") if first else _("Every other eligible line")
    return " · ".join(parts)


def rules_in_words(program: VoucherProgram) -> list[RuleWords]:
    return [RuleWords(number, rule_lines(rule.get("when") or {}, number == 1), Decimal(rule["rate"]))
            for number, rule in enumerate(program.rules, start=1)]


def regions_in_words(ids: list[str]) -> str:
    return _names(ids, region_name)


def vendors_in_words(slugs: list[str], names: dict[str, str]) -> str:
    return _names(slugs, lambda slug: names.get(slug, slug))


def reason_words(reason: str) -> str:
    return _(REASONS[reason])


def headline_rate(program: VoucherProgram) -> Decimal:
    """The highest rate any rule gives: what a list of programmes shows ('up to 30%')."""
    return max((Decimal(rule["rate"]) for rule in program.rules), default=Decimal(0))

