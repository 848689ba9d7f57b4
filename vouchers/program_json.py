"""Voucher programmes and order quotes as the JSON API gives them (spec §7): decimal strings, stable keys."""

from sqlalchemy.orm import Session

from pricing.line_total import purchase_unit
from vouchers.budget import consumed, remaining_budget
from vouchers.models import VoucherProgram
from vouchers.order_quote import OrderQuote


def _money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def program_json(session: Session, program: VoucherProgram) -> dict:
    return {
        "code": program.code, "name": {"zh": program.name_zh, "en": program.name_en},
        "issuer": {"zh": program.issuer_zh, "en": program.issuer_en},
        "valid_from": program.valid_from.isoformat(), "valid_to": program.valid_to.isoformat(),
        "budget": _money(program.budget), "consumed": _money(consumed(session, program)),
        "remaining_budget": _money(remaining_budget(session, program)),
        "cap_per_company_per_year": _money(program.cap_per_company_per_year),
        "company_regions": list(program.company_regions), "vendors": list(program.vendors),
        "offer_regions": list(program.offer_regions), "platform_rate": str(program.platform_rate.normalize()),
        "rules": [{"when": rule.get("when") or {}, "rate": rule["rate"]} for rule in program.rules],
        "example": program.example,
        "how_to_apply": ({"zh": program.how_to_apply_zh, "en": program.how_to_apply_en}
                         if program.how_to_apply_zh else None),
        "source": program.source_url,
    }


def quote_json(quote: OrderQuote) -> dict:
    split = quote.split
    return {
        "program": quote.program.code, "currency": "CNY",
        "total": _money(split.total), "government": _money(split.government), "platform": _money(split.platform),
        "company": _money(split.company), "capped_by": split.capped_by.value if split.capped_by else None,
        "lines": [{"offer_id": line.offer.id, "quantity": str(line.quantity),
                   "purchase_unit": _unit(line), "total": _money(share.total), "eligible": _money(share.eligible),
                   "rate": str(share.rate) if share.rate else "0", "government": _money(share.government),
                   "platform": _money(share.platform), "company": _money(share.company),
                   "reason": share.reason.value, "rule": share.rule}
                  for line, share in zip(quote.lines, split.lines, strict=True)],
    }


def _unit(line) -> str:
    return purchase_unit(line.offer.kind, line.offer.billing).value
