"""Registering a company, adding its people, linking a vendor to it: the rules, with no Flask.

Each function changes the session and leaves the commit to the caller; a refusal is a
CompanyRefused whose `code` the page turns into words. A company is created by its first member
(the owner); anyone else asks to join and acts for it once the owner approves, so knowing a public
credit code is not enough.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.company_models import ACTING_ROLES, Company, CompanyMember, CompanyVendor
from accounts.credit_code import normalized


class CompanyRefused(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def company_of(session: Session, user_id: int) -> Company | None:
    """The company this person acts for (not one they only asked to join)."""
    return session.scalar(select(Company).join(CompanyMember).where(
        CompanyMember.user_id == user_id, CompanyMember.role.in_(ACTING_ROLES)))


def membership_of(session: Session, user_id: int) -> CompanyMember | None:
    return session.scalar(select(CompanyMember).where(CompanyMember.user_id == user_id))


def company_by_code(session: Session, credit_code: str) -> Company | None:
    return session.scalar(select(Company).where(Company.credit_code == normalized(credit_code)))


def register_company(session: Session, user_id: int, name: str, credit_code: str, region_id: str) -> Company:
    """A new company with this user as its owner (the code is already checked by the schema).

    :raise CompanyRefused: 'has_company' (the user acts for one already), 'code_taken' (registered already).
    """
    if membership_of(session, user_id) is not None:
        raise CompanyRefused("has_company")
    if company_by_code(session, credit_code) is not None:
        raise CompanyRefused("code_taken")
    company = Company(name=name.strip(), credit_code=normalized(credit_code), region_id=region_id)
    session.add(company)
    session.flush()
    session.add(CompanyMember(company_id=company.id, user_id=user_id, role="owner"))
    return company


def request_to_join(session: Session, user_id: int, credit_code: str) -> CompanyMember:
    """Ask to act for a registered company; the person waits as 'pending' until its owner approves.

    :raise CompanyRefused: 'has_company' (acts for or waits on a company already), 'no_company' (code unknown).
    """
    if membership_of(session, user_id) is not None:
        raise CompanyRefused("has_company")
    company = company_by_code(session, credit_code)
    if company is None:
        raise CompanyRefused("no_company")
    member = CompanyMember(company_id=company.id, user_id=user_id, role="pending")
    session.add(member)
    return member


def decide_request(session: Session, company: Company, by_user_id: int, member_id: int, approve: bool) -> None:
    """The owner approves (the person becomes a member) or declines (the request is removed) a pending request.

    :raise CompanyRefused: 'not_owner', 'no_request' (no such pending request at this company).
    """
    owner = membership_of(session, by_user_id)
    if owner is None or owner.company_id != company.id or owner.role != "owner":
        raise CompanyRefused("not_owner")
    member = session.get(CompanyMember, member_id)
    if member is None or member.company_id != company.id or member.role != "pending":
        raise CompanyRefused("no_request")
    if approve:
        member.role = "member"
    else:
        session.delete(member)


def link_vendor(session: Session, company: Company, vendor_id: int) -> CompanyVendor:
    """Say the vendor is run by this company (once: moving a vendor to another company is an operator's job).

    :raise CompanyRefused: 'vendor_linked' (the vendor belongs to a company already).
    """
    if session.scalar(select(CompanyVendor).where(CompanyVendor.vendor_id == vendor_id)) is not None:
        raise CompanyRefused("vendor_linked")
    link = CompanyVendor(company_id=company.id, vendor_id=vendor_id)
    session.add(link)
    return link
