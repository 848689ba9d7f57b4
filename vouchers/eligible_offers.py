"""The offers a programme pays for, cheapest after the voucher first: one SQL query. No Flask.

A line takes the rate of the first rule that matches it (spec §7), so the query gives each offer the
rate of its first matching rule (a CASE in rule order) and keeps those whose rate is above zero.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, and_, case, func, literal, select, true
from sqlalchemy.orm import Session, joinedload

from catalog.models import Offer, Vendor
from catalog.registry import Registries
from pricing.voucher_split import after_voucher
from vouchers.models import VoucherProgram
from vouchers.program_terms import covered_regions

PER_PAGE = 50


@dataclass(frozen=True)
class EligibleOffer:
    offer: Offer
    rate: Decimal
    after_voucher: Decimal  # CNY per normalized unit the company pays


def _matches(when: dict, registries: Registries):
    """SQL for `when` (pricing.voucher_split.Rule.matches, in SQL); NULL columns compare as ''."""
    conditions = []
    for key, column in (("kind", Offer.kind), ("billing", Offer.billing), ("gpu_model", Offer.gpu_model),
                        ("model", Offer.model)):
        if when.get(key):
            conditions.append(func.coalesce(column, "").in_(when[key]))
    if "domestic_chip" in when:
        domestic = [m.id for m in registries.gpus.models.values() if m.domestic_chip]
        inside = func.coalesce(Offer.gpu_model, "").in_(domestic)
        conditions.append(inside if when["domestic_chip"] else ~inside)
    if "filed_model" in when:
        filed = [m.id for m in registries.token_models.models.values() if m.filed_model]
        inside = func.coalesce(Offer.model, "").in_(filed)
        conditions.append(inside if when["filed_model"] else ~inside)
    return and_(true(), *conditions)


def rate_query(program: VoucherProgram, registries: Registries) -> Select:
    """SELECT (id, rate, after) of the active offers the programme pays for: the one place its rules
    become SQL (this page, and the browse and API filter `program=` through vouchers.program_filter)."""
    rate = case(*[(_matches(rule.get("when") or {}, registries), literal(Decimal(rule["rate"])))
                  for rule in program.rules], else_=literal(Decimal(0)))
    after = Offer.unit_price * (1 - rate - literal(program.platform_rate))
    query = select(Offer.id, rate.label("rate"), after.label("after")).where(Offer.status == "active", rate > 0)
    if program.vendors:
        query = query.join(Vendor, Offer.vendor_id == Vendor.id).where(Vendor.slug.in_(program.vendors))
    if program.offer_regions:
        query = query.where(Offer.region.in_(covered_regions(program.offer_regions, registries.regions)))
    return query


def eligible_offers(session: Session, program: VoucherProgram, registries: Registries, kind: str | None = None,
                    page: int = 1) -> tuple[int, list[EligibleOffer]]:
    """(how many, one page) of the active offers the programme pays for, cheapest after the voucher first."""
    query = rate_query(program, registries)
    after = query.selected_columns.after
    if kind:
        query = query.where(Offer.kind == kind)
    count = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(query.order_by(after, Offer.id).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    offers = {o.id: o for o in session.scalars(select(Offer).options(joinedload(Offer.vendor))
                                               .where(Offer.id.in_([r.id for r in rows])))}
    found = []
    for row in rows:
        given = Decimal(str(row.rate))
        found.append(EligibleOffer(offers[row.id], given,
                                   after_voucher(offers[row.id].unit_price, given, program.platform_rate)))
    return count, found
