"""The voucher ledger (spec §7): a programme's government shares, reserved, consumed, released. No Flask.

One insert-only row per movement of one order's share (vouchers.models.LedgerEntry):
an order reserves when it is placed, payment consumes, expiry or a failed payment releases. The
unique (order, movement) makes each movement happen once whatever retries do, and consume and
release each need a reservation that neither has ended yet.

Never overspent, whatever the concurrency: `claim` locks the programme row, then reads what is left
of the budget and of the company's cap for the year and splits the order against those figures;
the caller reserves in the same transaction, so the lock is held until the reservation is committed
and the next order's read sees it. Lock order: the caller's offer locks first (catalog.bookings.
lock_for_booking), the programme after — every checkout takes them in that order, so none waits in a
circle. On SQLite the write transaction (BEGIN IMMEDIATE) already serialises every writer.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from accounts import Company, is_affiliated
from catalog.models import Offer
from catalog.registry import Registries
from pricing.voucher_split import Split, VoucherLine, split_order
from vouchers.models import ApplicationStatus, LedgerEntry, Movement, VoucherApplication, VoucherProgram
from vouchers.program_terms import covered_regions, terms_of, today_in_china, voucher_line

ZERO = Decimal("0.00")


class NotEntitled(Exception):
    """The company may not take the programme's government share: `code` says why
    ('no_company', 'not_approved', 'region')."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class ShareChanged(Exception):
    """Under the lock the company's share came out above what its buyer was shown (another order
    used the budget or the company's cap in between): nothing is claimed, the buyer sees old → new."""

    def __init__(self, old_company: Decimal, new_company: Decimal, old_government: Decimal | None,
                 new_government: Decimal):
        super().__init__(f"company share {old_company} -> {new_company}")
        self.old_company, self.new_company = old_company, new_company
        self.old_government, self.new_government = old_government, new_government


@dataclass(frozen=True)
class Entitlement:
    """What a company may take of a programme. `cap`: its yearly cap (the granted quota, else the
    programme's cap; None = no cap). `status`: its application's status, None when it never applied."""

    status: str | None
    in_region: bool
    cap: Decimal | None

    @property
    def approved(self) -> bool:
        return self.status == ApplicationStatus.APPROVED

    @property
    def entitled(self) -> bool:
        return self.approved and self.in_region

    @property
    def refusal(self) -> str | None:
        if not self.approved:
            return "not_approved"
        return None if self.in_region else "region"


@dataclass(frozen=True)
class Sums:
    """Σ of each movement; held = reserved − consumed − released."""

    reserved: Decimal = ZERO
    consumed: Decimal = ZERO
    released: Decimal = ZERO

    @property
    def held(self) -> Decimal:
        return self.reserved - self.consumed - self.released

    @property
    def spent(self) -> Decimal:
        return self.consumed

    @property
    def committed(self) -> Decimal:
        """Held or spent: what counts against a budget or a cap."""
        return self.reserved - self.released


def entitlement(session: Session, program: VoucherProgram, company_id: int | None,
                registries: Registries | None = None) -> Entitlement:
    """Whether the company's application is approved, whether it is registered where the programme
    covers (`company_regions`, provinces expanded: needs `registries`, else not checked), and its cap."""
    if company_id is None:
        return Entitlement(None, False, program.cap_per_company_per_year)
    application = session.scalar(select(VoucherApplication).where(
        VoucherApplication.program_id == program.id, VoucherApplication.company_id == company_id))
    in_region = True
    if program.company_regions and registries is not None:
        region = session.scalar(select(Company.region_id).where(Company.id == company_id))
        in_region = region in covered_regions(program.company_regions, registries.regions)
    cap = program.cap_per_company_per_year
    if application is not None and application.status == ApplicationStatus.APPROVED and application.quota is not None:
        cap = application.quota if cap is None else min(cap, application.quota)
    return Entitlement(application.status if application else None, in_region, cap)


def _sums(session: Session, *where) -> Sums:
    def total(movement: str):
        return func.coalesce(func.sum(case((LedgerEntry.movement == movement, LedgerEntry.amount), else_=0)), 0)

    row = session.execute(select(total(Movement.RESERVE), total(Movement.CONSUME), total(Movement.RELEASE))
                          .where(*where)).one()
    # SQLite sums its NUMERIC as a double (exact to 15 digits at these scales): back to the fen.
    return Sums(*(Decimal(str(value)).quantize(ZERO) for value in row))


def program_sums(session: Session, program_id: int) -> Sums:
    return _sums(session, LedgerEntry.program_id == program_id)


def company_sums(session: Session, program_id: int, company_id: int, year: int) -> Sums:
    return _sums(session, LedgerEntry.program_id == program_id, LedgerEntry.company_id == company_id,
                 LedgerEntry.year == year)


def order_sums(session: Session, order_id: int) -> Sums:
    return _sums(session, LedgerEntry.order_id == order_id)


def left(program: VoucherProgram, sums: Sums) -> Decimal | None:
    """budget − Σ reserve + Σ release, never below zero; None: no overall budget."""
    if program.budget is None:
        return None
    return max(ZERO, program.budget - sums.committed)


def programs_in_force(session: Session, on: date | None = None) -> list[VoucherProgram]:
    """The programmes in force on `on` (default: today, Beijing date), by code: what a programme select offers."""
    on = on or today_in_china()
    return list(session.scalars(select(VoucherProgram).where(VoucherProgram.valid_from <= on,
                                                             VoucherProgram.valid_to >= on)
                                .order_by(VoucherProgram.code)))


def voucher_lines(session: Session, company_id: int | None, priced: Sequence[tuple[Offer, Decimal]],
                  registries: Registries) -> list[VoucherLine]:
    """Each (offer, line total) as the split reads it; a line at a vendor the company is affiliated
    with is marked so, and earns nothing."""
    affiliated: dict[int, bool] = {}
    out = []
    for offer, total in priced:
        line = voucher_line(offer, total, registries)
        if company_id is not None:
            if offer.vendor_id not in affiliated:
                affiliated[offer.vendor_id] = is_affiliated(session, company_id, offer.vendor_id)
            if affiliated[offer.vendor_id]:
                line = replace(line, affiliated=True)
        out.append(line)
    return out


def preview(session: Session, program: VoucherProgram, company_id: int | None, lines: Sequence[VoucherLine],
            registries: Registries, on: date) -> tuple[Split, Entitlement]:
    """What the order would get now, without a lock: for the cart page. An unentitled buyer sees
    what it would be for an approved company that has used none of its cap."""
    granted = entitlement(session, program, company_id, registries)
    used = company_sums(session, program.id, company_id, on.year).committed if granted.entitled else ZERO
    return _split(session, program, granted, used, lines, registries, on), granted


def claim(session: Session, program_id: int, company_id: int | None, lines: Sequence[VoucherLine],
          registries: Registries, on: date, company_seen: Decimal | None = None,
          government_seen: Decimal | None = None) -> tuple[VoucherProgram, Split]:
    """Lock the programme and split the order against the budget and cap left under that lock; the
    caller then `reserve`s the split's government share and commits (which ends the lock).

    `company_seen`: the company share its buyer was shown (None: not checked). A larger share now
    raises; a smaller one (more subsidy than shown) goes through.

    :raise NotEntitled: no company, or its application is not approved, or it is registered elsewhere.
    :raise ShareChanged: the company would pay more than `company_seen`.
    :raise LookupError: no such programme.
    """
    # FOR NO KEY UPDATE: reservers wait for each other, while a payment's or an expiry's ledger row
    # (whose foreign key only needs KEY SHARE on the programme) goes on without waiting for them.
    program = session.scalar(select(VoucherProgram).where(VoucherProgram.id == program_id)
                             .with_for_update(key_share=True).execution_options(populate_existing=True))
    if program is None:
        raise LookupError(f"no voucher programme {program_id}")
    if company_id is None:
        raise NotEntitled("no_company")
    granted = entitlement(session, program, company_id, registries)
    if not granted.entitled:
        raise NotEntitled(granted.refusal or "not_approved")
    used = company_sums(session, program.id, company_id, on.year).committed
    split = _split(session, program, granted, used, lines, registries, on)
    if company_seen is not None and split.company > company_seen:
        raise ShareChanged(company_seen, split.company, government_seen, split.government)
    return program, split


def _split(session: Session, program: VoucherProgram, granted: Entitlement, used: Decimal,
           lines: Sequence[VoucherLine], registries: Registries, on: date) -> Split:
    # The company's own cap: its granted quota, else the programme's.
    terms = replace(terms_of(program, registries.regions), cap_per_company_per_year=granted.cap)
    return split_order(lines, terms, subsidised_this_year=used,
                       remaining_budget=left(program, program_sums(session, program.id)), on=on)


def _movements(session: Session, order_id: int) -> dict[str, LedgerEntry]:
    return {e.movement: e for e in session.scalars(select(LedgerEntry).where(LedgerEntry.order_id == order_id))}


def reserve(session: Session, program: VoucherProgram, company_id: int, order_id: int, amount: Decimal,
            year: int) -> LedgerEntry | None:
    """Hold `amount` for the order, once (a second call returns the first row); nothing for a zero
    share. The caller holds the programme lock (`claim`) and commits."""
    if amount <= 0:
        return None
    found = _movements(session, order_id).get(Movement.RESERVE)
    if found is not None:
        return found
    entry = LedgerEntry(program_id=program.id, company_id=company_id, order_id=order_id,
                        movement=Movement.RESERVE, amount=amount, year=year)
    session.add(entry)
    session.flush()
    return entry


def _end(session: Session, order_id: int, movement: str) -> LedgerEntry | None:
    """Consume or release the order's reservation, once, and only one of the two; None when there is
    no reservation or it has already ended. Callers move the order's status in the same transaction
    under the order's row lock, so a consume and a release of one order never race."""
    found = _movements(session, order_id)
    reserved = found.get(Movement.RESERVE)
    if reserved is None or Movement.CONSUME in found or Movement.RELEASE in found:
        return None
    entry = LedgerEntry(program_id=reserved.program_id, company_id=reserved.company_id, order_id=order_id,
                        movement=movement, amount=reserved.amount, year=reserved.year)
    session.add(entry)
    session.flush()
    return entry


def consume(session: Session, order_id: int) -> LedgerEntry | None:
    """The order is paid: its held share is spent. The caller commits."""
    return _end(session, order_id, Movement.CONSUME)


def release(session: Session, order_id: int) -> LedgerEntry | None:
    """The order expired or its payment failed: its held share goes back. The caller commits."""
    return _end(session, order_id, Movement.RELEASE)
