"""Applying to a voucher programme and the operator's decisions on it (spec §7), with no Flask.

Input arrives checked by vouchers/application_schemas.py; these functions hold the rules that need the
database (who may apply, to what, the cap). Each changes the session and leaves the commit to the caller;
each operator action adds its audit row to the same session, so a decision and its row commit together.
A refusal is an ApplicationProblem raised before anything is written; `field` names the input it is about
(None: the application as a whole).
"""

from datetime import date
from decimal import Decimal
from hashlib import sha256

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts import Company, company_of, record_audit
from catalog.models import utcnow
from catalog.registry import RegionRegistry
from vouchers.application_schemas import MAX_DOCUMENTS, Document
from vouchers.models import ApplicationDocument, ApplicationStatus, VoucherApplication, VoucherProgram
from vouchers.order_quote import today_in_china
from vouchers.program_terms import covered_regions

SUBJECT = "voucher_application"
FEN = Decimal("0.01")


class ApplicationProblem(Exception):
    """Codes: no_company, unverified, not_in_force, wrong_region, already_applied, no_documents, too_many_documents
    (field documents), not_pending, not_approved, quota_above_cap (field quota), reason_required (field reason)."""

    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code, self.field = code, field


def application_of(session: Session, program: VoucherProgram, company: Company,
                   lock: bool = False) -> VoucherApplication | None:
    """`lock`: hold the row (PostgreSQL) until the commit, so two members applying again at once make one change."""
    query = select(VoucherApplication).where(VoucherApplication.program_id == program.id,
                                             VoucherApplication.company_id == company.id)
    return session.scalar(query.with_for_update() if lock else query)


def approved_application(session: Session, program_id: int, company_id: int) -> VoucherApplication | None:
    """The company's approved application to the programme (its `quota`, None = the cap), or None: no government
    share for it (spec §7)."""
    return session.scalar(select(VoucherApplication).where(
        VoucherApplication.program_id == program_id, VoucherApplication.company_id == company_id,
        VoucherApplication.status == ApplicationStatus.APPROVED))


def in_force(program: VoucherProgram, on: date) -> bool:
    return program.valid_from <= on <= program.valid_to


def may_apply_from(program: VoucherProgram, company: Company, regions: RegionRegistry) -> bool:
    """The company's registered region is one the programme names (a province covers its cities)."""
    return not program.company_regions or company.region_id in covered_regions(program.company_regions, regions)


def eligibility_problem(program: VoucherProgram, company: Company | None, regions: RegionRegistry,
                        on: date | None = None) -> str | None:
    """Why this company cannot apply to this programme now, or None: what the page says before the form."""
    if company is None:
        return "no_company"
    if company.verified_at is None:
        return "unverified"
    if not in_force(program, on or today_in_china()):
        return "not_in_force"
    if not may_apply_from(program, company, regions):
        return "wrong_region"
    return None


def submit(session: Session, program: VoucherProgram, user_id: int, data: dict, regions: RegionRegistry,
           on: date | None = None) -> VoucherApplication:
    """Apply for the company the user acts for, or apply again after a refusal (back to pending).

    `data` is what ApplicationSchema loaded. Applying again keeps the documents sent before unless
    `replace_documents`; either way the application ends with 1 to MAX_DOCUMENTS of them.
    :raise ApplicationProblem: see the class; nothing is written.
    """
    company = company_of(session, user_id)
    problem = eligibility_problem(program, company, regions, on)
    if problem is not None:
        raise ApplicationProblem(problem)
    application = application_of(session, program, company, lock=True)
    if application is not None and application.status != ApplicationStatus.REFUSED:
        raise ApplicationProblem("already_applied")
    kept = [] if application is None or data.get("replace_documents") else list(application.documents)
    count = len(kept) + len(data["documents"])
    if count == 0:
        raise ApplicationProblem("no_documents", "documents")
    if count > MAX_DOCUMENTS:
        raise ApplicationProblem("too_many_documents", "documents")
    if application is None:
        application = VoucherApplication(program=program, company_id=company.id)
        session.add(application)
    else:
        application.documents = kept
    application.submitted_by_user_id = user_id
    application.status = ApplicationStatus.PENDING
    application.expected_spend = _fen(data["expected_spend"])
    application.note = (data.get("note") or "").strip() or None
    # The last decision is in the audit log; a pending application carries none.
    application.quota = application.reason = application.decided_by_user_id = application.decided_at = None
    application.documents.extend(_stored(doc, user_id) for doc in data["documents"])
    return application


def _stored(doc: Document, user_id: int) -> ApplicationDocument:
    return ApplicationDocument(filename=doc.filename, content_type=doc.content_type, size=len(doc.data),
                               sha256=sha256(doc.data).hexdigest(), data=doc.data, uploaded_by_user_id=user_id)


def approve(session: Session, application: VoucherApplication, operator_id: int, quota: Decimal | None = None,
            note: str | None = None) -> None:
    """Grant the government share up to `quota` a year (None: the programme's cap).

    :raise ApplicationProblem: not_pending, unverified (the company lost its verification since applying),
        quota_above_cap.
    """
    if application.status != ApplicationStatus.PENDING:
        raise ApplicationProblem("not_pending")
    company = session.get(Company, application.company_id)
    if company is None or company.verified_at is None:
        raise ApplicationProblem("unverified")
    cap = application.program.cap_per_company_per_year
    if quota is not None and (quota <= 0 or (cap is not None and quota > cap)):
        raise ApplicationProblem("quota_above_cap", "quota")
    note = (note or "").strip() or None
    quota = None if quota is None else _fen(quota)
    _decide(session, application, operator_id, ApplicationStatus.APPROVED, quota, note, "voucher.approve")


def refuse(session: Session, application: VoucherApplication, operator_id: int, reason: str) -> None:
    """:raise ApplicationProblem: reason_required, not_pending."""
    reason = _required(reason)
    if application.status != ApplicationStatus.PENDING:
        raise ApplicationProblem("not_pending")
    _decide(session, application, operator_id, ApplicationStatus.REFUSED, None, reason, "voucher.refuse")


def revoke(session: Session, application: VoucherApplication, operator_id: int, reason: str) -> None:
    """Withdraw an approval: the application reads as refused with the reason, and the company may apply again.

    :raise ApplicationProblem: reason_required, not_approved.
    """
    reason = _required(reason)
    if application.status != ApplicationStatus.APPROVED:
        raise ApplicationProblem("not_approved")
    _decide(session, application, operator_id, ApplicationStatus.REFUSED, None, reason, "voucher.revoke")


def _required(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationProblem("reason_required", "reason")
    return reason


def _decide(session: Session, application: VoucherApplication, operator_id: int, status: str,
            quota: Decimal | None, reason: str | None, action: str) -> None:
    before = {"status": application.status, "quota": _text(application.quota)}
    application.status, application.quota, application.reason = status, quota, reason
    application.decided_by_user_id, application.decided_at = operator_id, utcnow()
    program = application.program
    record_audit(session, operator_id, action, SUBJECT, application.id, {
        "program": program.code, "company_id": application.company_id, "reason": reason,
        "from": before, "to": {"status": status, "quota": _text(quota)},
        "cap": _text(program.cap_per_company_per_year)})


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(_fen(amount))


def _fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN)
