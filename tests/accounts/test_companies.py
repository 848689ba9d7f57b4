"""The company rules: one company per person, one per credit code, joining needs the owner, a vendor links once."""

import pytest
from sqlalchemy import select

from accounts.companies import (
    CompanyRefused,
    company_of,
    decide_request,
    link_vendor,
    register_company,
    request_to_join,
)
from accounts.company_models import CompanyMember
from extensions import db
from tests.accounts.company_support import credit_code, make_company
from tests.stall_support import make_user, make_vendor_member


def _refused(code: str, call, *args) -> None:
    with pytest.raises(CompanyRefused) as raised:
        call(db.session, *args)
    assert raised.value.code == code
    db.session.rollback()


def test_the_first_person_registers_and_owns_the_company(app):
    user = make_user("boss@example.com")
    company = register_company(db.session, user.id, " 杭州某某科技有限公司 ", credit_code(7).lower(), "cn-hangzhou")
    db.session.commit()
    assert company_of(db.session, user.id) == company
    assert (company.name, company.credit_code) == ("杭州某某科技有限公司", credit_code(7))
    assert [m.role for m in company.members] == ["owner"]


def test_a_registered_code_and_a_second_company_are_refused(app):
    boss = make_user("boss@example.com")
    company = make_company(owner=boss)
    _refused("code_taken", register_company, make_user("other@example.com").id, "x", company.credit_code, "cn-hangzhou")
    _refused("has_company", register_company, boss.id, "x", credit_code(), "cn-hangzhou")


def test_joining_waits_for_the_owner(app):
    boss, newcomer = make_user("boss@example.com"), make_user("new@example.com")
    company = make_company(owner=boss)
    request = request_to_join(db.session, newcomer.id, company.credit_code)
    db.session.commit()
    assert company_of(db.session, newcomer.id) is None  # not acting for it yet
    _refused("not_owner", decide_request, company, newcomer.id, request.id, True)
    decide_request(db.session, company, boss.id, request.id, approve=True)
    db.session.commit()
    assert company_of(db.session, newcomer.id) == company


def test_a_declined_request_is_gone_and_the_person_may_ask_elsewhere(app):
    boss, newcomer = make_user("boss@example.com"), make_user("new@example.com")
    company, other = make_company(owner=boss), make_company("别家")
    request = request_to_join(db.session, newcomer.id, company.credit_code)
    db.session.commit()
    _refused("has_company", request_to_join, newcomer.id, other.credit_code)
    decide_request(db.session, company, boss.id, request.id, approve=False)
    db.session.commit()
    assert db.session.scalar(select(CompanyMember).where(CompanyMember.user_id == newcomer.id)) is None
    request_to_join(db.session, newcomer.id, other.credit_code)
    db.session.commit()


def test_an_unknown_code_has_no_company_to_join(app):
    _refused("no_company", request_to_join, make_user("new@example.com").id, credit_code())


def test_a_vendor_links_to_one_company_only(app):
    seller, stall = make_vendor_member("seller@example.com", "stall")
    first, second = make_company(owner=seller), make_company("别家")
    link_vendor(db.session, first, stall.id)
    db.session.commit()
    _refused("vendor_linked", link_vendor, second, stall.id)
    assert [link.vendor_id for link in first.vendors] == [stall.id]
