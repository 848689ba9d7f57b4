"""A verified company in Hangzhou with its owner, an operator, and files whose bytes are what they claim."""

from accounts.models import User
from catalog.models import utcnow
from extensions import db
from tests.accounts.company_support import make_company
from tests.stall_support import make_user

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00" + b"\x00" * 60  # a Windows program, whatever its name says


def applicant(email: str = "owner@example.com", region_id: str = "cn-hangzhou", verified: bool = True):
    """(owner, company): the owner acts for a company registered in `region_id`."""
    owner = make_user(email)
    company = make_company(owner=owner, region_id=region_id)
    if verified:
        company.verified_at = utcnow()
        db.session.commit()
    return owner, company


def operator(email: str = "ops@example.com") -> User:
    user = make_user(email)
    user.is_operator = True
    db.session.commit()
    return user
