"""What an operator (a voucher programme's administrator) does, each action with its audit row (no Flask).

Every function writes the change and its AuditLog row to the same session and does not commit: the
caller commits once, so an action is never recorded without happening, nor happens unrecorded. A
refusal (OperatorRefused) is raised before anything is written.
"""

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from accounts.affiliation import affiliation_pair
from accounts.audit import record
from accounts.company_models import Company, CompanyAffiliation
from accounts.models import User
from catalog.models import utcnow


class OperatorRefused(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def grant(session: Session, email: str, actor_id: int | None = None) -> User:
    """Make the person with this email an operator.

    :raise OperatorRefused: 'no_account', 'already_operator'.
    """
    user = _user_by_email(session, email)
    if user.is_operator:
        raise OperatorRefused("already_operator")
    user.is_operator = True
    record(session, actor_id, "operator.grant", "user", user.id, {"email": user.email})
    return user


def revoke(session: Session, email: str, actor_id: int | None = None) -> User:
    """:raise OperatorRefused: 'no_account', 'not_operator'."""
    user = _user_by_email(session, email)
    if not user.is_operator:
        raise OperatorRefused("not_operator")
    user.is_operator = False
    record(session, actor_id, "operator.revoke", "user", user.id, {"email": user.email})
    return user


def _user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise OperatorRefused("no_account")
    return user


def verify(session: Session, company: Company, actor_id: int, reason: str) -> None:
    """Mark the company checked against the business registry.

    :raise OperatorRefused: 'already_verified'.
    """
    if company.verified_at is not None:
        raise OperatorRefused("already_verified")
    company.verified_at = utcnow()
    company.review_note = reason.strip()
    record(session, actor_id, "company.verify", "company", company.id,
           {"reason": company.review_note, "credit_code": company.credit_code})


def unverify(session: Session, company: Company, actor_id: int, reason: str) -> None:
    """Withdraw a verification (the registry says otherwise, the company closed, ...).

    :raise OperatorRefused: 'not_verified'.
    """
    if company.verified_at is None:
        raise OperatorRefused("not_verified")
    company.verified_at = None
    company.review_note = reason.strip()
    record(session, actor_id, "company.unverify", "company", company.id,
           {"reason": company.review_note, "credit_code": company.credit_code})


def affiliation_exists(session: Session, a: int, b: int) -> bool:
    low, high = affiliation_pair(a, b)
    return bool(session.scalar(select(exists().where(CompanyAffiliation.company_id == low,
                                                     CompanyAffiliation.affiliate_id == high))))


def declare_affiliated(session: Session, company: Company, other: Company, actor_id: int, reason: str) -> None:
    """Declare two companies affiliated (accounts/affiliation.py): vouchers of one are not spent at the other's vendors.

    :raise OperatorRefused: 'same_company', 'already_affiliated'.
    """
    if company.id == other.id:
        raise OperatorRefused("same_company")
    if affiliation_exists(session, company.id, other.id):
        raise OperatorRefused("already_affiliated")
    low, high = affiliation_pair(company.id, other.id)
    session.add(CompanyAffiliation(company_id=low, affiliate_id=high))
    record(session, actor_id, "company.affiliate", "company", company.id,
           {"reason": reason.strip(), "affiliate_id": other.id, "affiliate_credit_code": other.credit_code})
