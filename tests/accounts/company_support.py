"""Companies for tests: valid credit codes made on the spot, a company with its owner."""

from itertools import count

from accounts.company_models import Company, CompanyMember, CompanyVendor
from accounts.credit_code import check_character, organisation_check_character
from extensions import db

_serial = count(1)


def credit_code(serial: int | None = None) -> str:
    """A valid enterprise code (91, Hangzhou 330100) whose organisation code body is the serial."""
    body = f"{next(_serial) if serial is None else serial:08d}"
    first17 = "91330100" + body + organisation_check_character(body)
    return first17 + check_character(first17)


def make_company(name: str = "杭州测试科技有限公司", owner=None, vendors=(), region_id: str = "cn-hangzhou") -> Company:
    company = Company(name=name, credit_code=credit_code(), region_id=region_id)
    db.session.add(company)
    db.session.flush()
    if owner is not None:
        db.session.add(CompanyMember(company_id=company.id, user_id=owner.id, role="owner"))
    for vendor in vendors:
        db.session.add(CompanyVendor(company_id=company.id, vendor_id=vendor.id))
    db.session.commit()
    return company
