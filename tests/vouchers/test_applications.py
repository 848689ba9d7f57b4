"""Applying to a programme and the operator's decisions: who may apply, what is refused, and the audit trail."""

from datetime import date
from decimal import Decimal as D

import pytest
from marshmallow import ValidationError
from sqlalchemy import select

from accounts import AuditLog
from catalog.registry import default_registries
from extensions import db
from tests.stall_support import make_user
from tests.vouchers.application_support import EXE, PDF, PNG, applicant, operator
from tests.vouchers.conftest import hangzhou, load
from vouchers.application_schemas import DOCUMENT_MAX_BYTES, ApplicationSchema, DecisionSchema, Upload
from vouchers.applications import ApplicationProblem, approve, approved_application, refuse, revoke, submit
from vouchers.models import ApplicationStatus, VoucherApplication
from vouchers.order_quote import program_by_code


def _program(**changes):
    load(hangzhou(**changes))
    db.session.commit()
    return program_by_code(db.session, "hz-2026")


def _input(spend="120000", files=(("licence.pdf", PDF),), **extra) -> dict:
    return ApplicationSchema().load({"expected_spend": spend, "documents": [Upload(n, d) for n, d in files], **extra})


def _submit(program, user, data=None, on=None):
    application = submit(db.session, program, user.id, data or _input(), default_registries().regions, on)
    db.session.commit()
    return application


def _audit() -> list[AuditLog]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditLog).order_by(AuditLog.id)))


def _refused(program, user, data=None, on=None) -> ApplicationProblem:
    with pytest.raises(ApplicationProblem) as caught:
        submit(db.session, program, user.id, data or _input(), default_registries().regions, on)
    db.session.rollback()
    assert db.session.scalars(select(VoucherApplication)).all() == []
    return caught.value


def test_a_member_of_a_verified_company_in_the_region_applies_with_its_documents(app):
    owner, company = applicant()
    application = _submit(_program(), owner, _input(files=[("licence.pdf", PDF), ("scan.jpg.png", PNG)],
                                                    note=" 训练大模型 "))
    db.session.expire_all()
    assert (application.status, application.company_id, application.expected_spend, application.note) == (
        ApplicationStatus.PENDING, company.id, D("120000.00"), "训练大模型")
    assert [(d.filename, d.content_type, d.size, d.data) for d in application.documents] == [
        ("licence.pdf", "application/pdf", len(PDF), PDF), ("scan.jpg.png", "image/png", len(PNG), PNG)]
    assert _audit() == []  # applying is the company's act, not an operator's


@pytest.mark.parametrize(("setup", "code"), [
    (lambda: applicant(verified=False)[0], "unverified"),
    (lambda: applicant(region_id="cn-beijing")[0], "wrong_region"),
    (lambda: make_user("nobody@example.com"), "no_company"),
])
def test_who_may_not_apply(app, setup, code):
    assert _refused(_program(), setup()).code == code


def test_a_province_covers_its_cities_and_an_empty_list_anywhere(app):
    owner, _ = applicant(region_id="cn-hangzhou")
    assert _submit(_program(company_regions=["cn-zhejiang"]), owner).status == ApplicationStatus.PENDING
    other, _ = applicant("b@example.com", region_id="cn-beijing")
    assert _submit(_program(company_regions=[]), other).status == ApplicationStatus.PENDING


def test_an_expired_programme_takes_no_applications(app):
    owner, _ = applicant()
    program = _program(valid_from="2020-01-01", valid_to="2020-12-31")
    assert _refused(program, owner).code == "not_in_force"
    assert _refused(_program(), owner, on=date(2019, 12, 31)).code == "not_in_force"


@pytest.mark.parametrize(("name", "data", "words"), [
    ("licence.pdf", EXE, "is not a PDF, PNG, JPEG or WebP file"),  # named .pdf, is a program
    ("page.html", b"<html><body>hi</body></html>", "is not a PDF"),
    ("empty.pdf", b"", "is empty"),
    ("big.pdf", PDF + b"0" * DOCUMENT_MAX_BYTES, "is larger than 2 MB"),
])
def test_a_bad_file_is_refused_by_its_bytes_naming_the_field(app, name, data, words):
    with pytest.raises(ValidationError) as caught:
        _input(files=[(name, data)])
    assert list(caught.value.messages) == ["documents"] and words in str(caught.value.messages)


@pytest.mark.parametrize(("field", "value"), [("expected_spend", "0"), ("expected_spend", "-5"),
                                              ("expected_spend", "abc"), ("expected_spend", "1.001"),
                                              ("expected_spend", "NaN")])
def test_expected_spend_is_a_positive_amount_to_the_fen(app, field, value):
    with pytest.raises(ValidationError) as caught:
        _input(spend=value)
    assert list(caught.value.messages) == [field]


def test_one_to_five_documents(app):
    owner, _ = applicant()
    program = _program()
    assert _refused(program, owner, _input(files=())).field == "documents"
    with pytest.raises(ValidationError) as caught:
        _input(files=[(f"{i}.pdf", PDF) for i in range(6)])
    assert list(caught.value.messages) == ["documents"]


def test_a_pending_or_approved_application_is_not_sent_twice(app):
    owner, _ = applicant()
    program = _program()
    _submit(program, owner)
    with pytest.raises(ApplicationProblem) as caught:
        submit(db.session, program, owner.id, _input(), default_registries().regions)
    assert caught.value.code == "already_applied"


def test_approve_with_a_quota_up_to_the_cap_and_its_audit_row(app):
    owner, company = applicant()
    ops = operator()
    application = _submit(_program(), owner)
    with pytest.raises(ApplicationProblem) as caught:
        approve(db.session, application, ops.id, quota=D("8000000.01"))  # the cap is ¥8,000,000
    assert (caught.value.code, caught.value.field) == ("quota_above_cap", "quota")
    assert _audit() == []
    approve(db.session, application, ops.id, quota=D("8000000"), note="核对合同")
    db.session.commit()
    db.session.expire_all()
    assert (application.status, application.quota, application.reason, application.decided_by_user_id) == (
        ApplicationStatus.APPROVED, D("8000000.00"), "核对合同", ops.id)
    [row] = _audit()
    assert (row.action, row.subject_type, row.subject_id, row.actor_id) == (
        "voucher.approve", "voucher_application", application.id, ops.id)
    assert row.details["from"] == {"status": "pending", "quota": None}
    assert row.details["to"] == {"status": "approved", "quota": "8000000.00"}
    assert (row.details["program"], row.details["company_id"]) == ("hz-2026", company.id)


def test_approve_without_a_quota_means_the_cap_and_a_programme_without_cap_takes_any(app):
    owner, _ = applicant()
    ops = operator()
    application = _submit(_program(cap_per_company_per_year=None), owner)
    approve(db.session, application, ops.id, quota=D("99999999"))
    db.session.commit()
    assert application.quota == D("99999999")
    other, _ = applicant("b@example.com")
    second = _submit(_program(), other)
    approve(db.session, second, ops.id)
    assert second.quota is None and second.status == ApplicationStatus.APPROVED


def test_an_operator_cannot_approve_a_company_that_lost_its_verification(app):
    owner, company = applicant()
    application = _submit(_program(), owner)
    company.verified_at = None
    db.session.commit()
    with pytest.raises(ApplicationProblem) as caught:
        approve(db.session, application, operator().id)
    assert caught.value.code == "unverified"


def test_refuse_needs_a_reason_and_writes_it_to_the_log(app):
    owner, _ = applicant()
    ops = operator()
    application = _submit(_program(), owner)
    for blank in ("", "   ", None):
        with pytest.raises(ApplicationProblem) as caught:
            refuse(db.session, application, ops.id, blank)
        assert (caught.value.code, caught.value.field) == ("reason_required", "reason")
    assert application.status == ApplicationStatus.PENDING and _audit() == []
    refuse(db.session, application, ops.id, " 材料不全 ")
    db.session.commit()
    assert (application.status, application.reason) == (ApplicationStatus.REFUSED, "材料不全")
    [row] = _audit()
    assert (row.action, row.details["reason"], row.details["to"]["status"]) == ("voucher.refuse", "材料不全", "refused")
    with pytest.raises(ApplicationProblem) as caught:
        approve(db.session, application, ops.id)
    assert caught.value.code == "not_pending"


def test_revoke_an_approval_with_a_reason(app):
    owner, _ = applicant()
    ops = operator()
    application = _submit(_program(), owner)
    with pytest.raises(ApplicationProblem) as caught:
        revoke(db.session, application, ops.id, "x")
    assert caught.value.code == "not_approved"
    approve(db.session, application, ops.id, quota=D("100"))
    with pytest.raises(ApplicationProblem):
        revoke(db.session, application, ops.id, "")
    assert approved_application(db.session, application.program_id, application.company_id) is application
    revoke(db.session, application, ops.id, "合同作废")
    db.session.commit()
    assert approved_application(db.session, application.program_id, application.company_id) is None
    assert (application.status, application.quota, application.reason) == (ApplicationStatus.REFUSED, None, "合同作废")
    rows = _audit()
    assert [r.action for r in rows] == ["voucher.approve", "voucher.revoke"]
    assert rows[1].details["from"] == {"status": "approved", "quota": "100.00"}


def test_apply_again_after_a_refusal_adds_or_replaces_documents(app):
    owner, _ = applicant()
    ops = operator()
    program = _program()
    application = _submit(program, owner)
    refuse(db.session, application, ops.id, "缺合同")
    db.session.commit()
    again = _submit(program, owner, _input(spend="5000", files=[("contract.png", PNG)]))
    db.session.expire_all()
    assert again.id == application.id
    assert (again.status, again.expected_spend, again.reason, again.decided_at) == (
        ApplicationStatus.PENDING, D("5000.00"), None, None)
    assert [d.filename for d in again.documents] == ["licence.pdf", "contract.png"]
    refuse(db.session, again, ops.id, "仍缺")
    db.session.commit()
    third = _submit(program, owner, _input(files=[("new.pdf", PDF)], replace_documents="true"))
    db.session.expire_all()
    assert [d.filename for d in third.documents] == ["new.pdf"]
    assert [r.action for r in _audit()] == ["voucher.refuse", "voucher.refuse"]


def test_re_applying_may_not_pass_five_documents(app):
    owner, _ = applicant()
    program = _program()
    application = _submit(program, owner, _input(files=[(f"{i}.pdf", PDF) for i in range(4)]))
    refuse(db.session, application, operator().id, "再补")
    db.session.commit()
    with pytest.raises(ApplicationProblem) as caught:
        submit(db.session, program, owner.id, _input(files=[("a.pdf", PDF), ("b.pdf", PDF)]),
               default_registries().regions)
    assert (caught.value.code, caught.value.field) == ("too_many_documents", "documents")


@pytest.mark.parametrize(("form", "field"), [
    ({"action": "refuse", "reason": " "}, "reason"), ({"action": "revoke"}, "reason"),
    ({"action": "approve", "quota": "0"}, "quota"), ({"action": "approve", "quota": "1.234"}, "quota"),
    ({"action": "approve", "quota": "lots"}, "quota"), ({"action": "delete"}, "action"),
])
def test_a_decision_names_the_field_that_is_wrong(form, field):
    with pytest.raises(ValidationError) as caught:
        DecisionSchema().load(form)
    assert list(caught.value.messages) == [field]


def test_a_blank_quota_is_the_cap():
    assert DecisionSchema().load({"action": "approve", "quota": " ", "reason": ""}) == {
        "action": "approve", "quota": None, "reason": None}


@pytest.mark.parametrize(("typed", "amount"), [("¥1,200,000", D("1200000")), ("1，200.50 元", D("1200.50"))])
def test_amounts_as_people_type_them(typed, amount):
    assert _input(spend=typed)["expected_spend"] == amount
    assert DecisionSchema().load({"action": "approve", "quota": typed})["quota"] == amount
