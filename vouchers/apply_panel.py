"""What the programme page's "Apply" section shows the person looking at it, and the words of every refusal."""

from dataclasses import dataclass, field

from flask_login import current_user

from accounts import Company, company_of
from catalog.registry import default_registries
from extensions import db
from vouchers.applications import application_of, eligibility_problem
from vouchers.models import ApplicationStatus, VoucherApplication, VoucherProgram

# ApplicationProblem codes as English msgids (translated where shown).
PROBLEMS = {
    "no_company": "Only a company can apply: register your company, or ask to join it, first.",
    "unverified": "Your company is not verified yet: an operator checks it against the business registry before it "
                  "can apply.",
    "not_in_force": "The programme is not in force today, so it takes no applications.",
    "wrong_region": "Your company is registered outside the regions this programme is for.",
    "already_applied": "Your company has applied to this programme already.",
    "no_documents": "Attach at least one document: the business licence, a contract or a plan.",
    "too_many_documents": "An application holds at most 5 documents: replace the earlier ones or send fewer.",
    "not_pending": "This application is not waiting for a decision.",
    "not_approved": "Only an approved application can be revoked.",
    "quota_above_cap": "The quota must be above zero and at most the programme's cap for a company.",
    "reason_required": "Give the reason: the company reads it.",
}
STATUS_WORDS = {
    ApplicationStatus.PENDING: "Waiting for review",
    ApplicationStatus.APPROVED: "Approved",
    ApplicationStatus.REFUSED: "Refused",
}


@dataclass(frozen=True)
class ApplyPanel:
    """`state`: log_in, an eligibility problem code, pending, approved, or form (the form is shown, after a
    refusal too)."""

    state: str
    company: Company | None = None
    application: VoucherApplication | None = None
    errors: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)


def apply_panel(program: VoucherProgram, errors: dict | None = None, values: dict | None = None) -> ApplyPanel:
    if not current_user.is_authenticated:
        return ApplyPanel("log_in")
    company = company_of(db.session, current_user.id)
    application = application_of(db.session, program, company) if company is not None else None
    if application is not None and application.status != ApplicationStatus.REFUSED:
        state = application.status
    else:
        state = eligibility_problem(program, company, default_registries().regions) or "form"
    return ApplyPanel(state, company, application, errors or {}, values or {})
