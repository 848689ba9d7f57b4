"""Is a company affiliated with a vendor? The one answer the voucher checkout asks (no Flask).

A company is affiliated with a vendor when
1. the vendor belongs to the company (company_vendors), or
2. the vendor belongs to a company declared affiliated with it (company_affiliations; pairs, not chains:
   a group of three declares its three pairs), or
3. a person acting for the company is also a member of the vendor (a voucher spent at one's own stall).
"""

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from accounts.company_models import ACTING_ROLES, CompanyAffiliation, CompanyMember, CompanyVendor
from accounts.models import VendorMember


def affiliation_pair(a: int, b: int) -> tuple[int, int]:
    """The stored order of a pair of companies (lower id first)."""
    return (a, b) if a < b else (b, a)


def is_affiliated(session: Session, company_id: int, vendor_id: int) -> bool:
    owner = session.scalar(select(CompanyVendor.company_id).where(CompanyVendor.vendor_id == vendor_id))
    if owner == company_id:
        return True
    if owner is not None:
        low, high = affiliation_pair(owner, company_id)
        if session.scalar(select(exists().where(CompanyAffiliation.company_id == low,
                                                CompanyAffiliation.affiliate_id == high))):
            return True
    return bool(session.scalar(select(exists().where(
        CompanyMember.company_id == company_id, CompanyMember.role.in_(ACTING_ROLES),
        VendorMember.user_id == CompanyMember.user_id,
        VendorMember.vendor_id == vendor_id))))
