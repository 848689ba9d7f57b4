"""The operator area: only operators reach it, each action writes one audit row in its own transaction, none when it fails."""

import re

import pytest
from sqlalchemy import func, select

from accounts.audit import AuditLog, AuditLogIsInsertOnly
from accounts.company_models import CompanyAffiliation
from extensions import db
from tests.accounts.company_support import make_company
from tests.stall_support import log_in, make_user


def _audit_rows() -> list[AuditLog]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditLog).order_by(AuditLog.id)))


@pytest.fixture()
def operator(app):
    user = make_user("ops@example.com")
    result = app.test_cli_runner().invoke(args=["operator", "grant", "OPS@example.com"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return user


def _operator_rules(app) -> list:
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/operator")]
    assert len(rules) >= 4  # companies, review, affiliates, audit (guards against an empty loop)
    return rules


def _sample(rule) -> str:
    return re.sub(r"<[^>]+>", "1", rule.rule)


def test_every_operator_route_is_403_for_a_logged_in_non_operator(app, client):
    make_company()
    log_in(client, make_user("buyer@example.com"))
    for rule in _operator_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_sample(rule), method=method, data={"action": "verify", "reason": "x"})
            assert response.status_code == 403, (method, rule.rule)
    assert _audit_rows() == []


def test_every_operator_route_sends_a_stranger_to_log_in(app, client):
    for rule in _operator_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_sample(rule), method=method, data={"action": "verify", "reason": "x"})
            assert response.status_code == 302 and "/login" in response.location, (method, rule.rule)


def test_an_operator_sees_the_companies_and_the_audit_log(client, operator):
    make_company("待核验科技有限公司")
    log_in(client, operator)
    assert "待核验科技有限公司" in client.get("/operator").text
    page = client.get("/operator/audit?lang=en").text
    assert "Granted the operator role" in page and "ops@example.com" in page and "command line" in page


def test_the_cli_grant_writes_one_row_and_a_second_grant_none(app, operator):
    rows = _audit_rows()
    assert [(r.action, r.subject_type, r.subject_id, r.actor_id) for r in rows] == [
        ("operator.grant", "user", operator.id, None)]
    again = app.test_cli_runner().invoke(args=["operator", "grant", "ops@example.com"])
    assert again.exit_code != 0 and "already an operator" in again.output
    unknown = app.test_cli_runner().invoke(args=["operator", "grant", "nobody@example.com"])
    assert unknown.exit_code != 0 and "no account" in unknown.output
    assert len(_audit_rows()) == 1


def test_revoke_takes_the_area_away(app, client, operator):
    assert app.test_cli_runner().invoke(args=["operator", "revoke", "ops@example.com"]).exit_code == 0
    log_in(client, db.session.get(type(operator), operator.id))
    assert client.get("/operator").status_code == 403
    assert [r.action for r in _audit_rows()] == ["operator.grant", "operator.revoke"]


def test_verify_and_unverify_each_write_one_row_with_the_reason(client, operator):
    company = make_company()
    log_in(client, operator)
    assert client.post(f"/operator/companies/{company.id}/review",
                       data={"action": "verify", "reason": "核对了公示系统"}).status_code == 302
    db.session.expire_all()
    assert company.verified_at is not None and company.review_note == "核对了公示系统"
    assert client.post(f"/operator/companies/{company.id}/review",
                       data={"action": "unverify", "reason": "已注销"}).status_code == 302
    rows = _audit_rows()[1:]
    assert [(r.action, r.subject_id, r.actor_id, r.details["reason"]) for r in rows] == [
        ("company.verify", company.id, operator.id, "核对了公示系统"),
        ("company.unverify", company.id, operator.id, "已注销")]
    db.session.expire_all()
    assert company.verified_at is None
    assert "已注销" in client.get("/operator/audit").text


def test_a_refused_or_invalid_action_writes_no_row(client, operator):
    company = make_company()
    log_in(client, operator)
    before = len(_audit_rows())
    assert client.post(f"/operator/companies/{company.id}/review",
                       data={"action": "unverify", "reason": "x"}).status_code == 409  # not verified
    blank = client.post(f"/operator/companies/{company.id}/review?lang=en", data={"action": "verify", "reason": " "})
    assert blank.status_code == 400 and "Shorter than minimum length 1." in blank.text
    assert client.post(f"/operator/companies/{company.id}/affiliates",
                       data={"credit_code": company.credit_code, "reason": "x"}).status_code == 409  # itself
    assert client.post("/operator/companies/999999/review", data={"action": "verify", "reason": "x"}).status_code == 404
    assert len(_audit_rows()) == before
    db.session.expire_all()
    assert company.verified_at is None


def test_declaring_affiliates_writes_the_pair_and_one_row(client, operator):
    first, second = make_company("甲公司"), make_company("乙公司")
    log_in(client, operator)
    response = client.post(f"/operator/companies/{second.id}/affiliates",
                           data={"credit_code": first.credit_code, "reason": "同一实际控制人"})
    assert response.status_code == 302
    pair = db.session.scalar(select(CompanyAffiliation))
    assert (pair.company_id, pair.affiliate_id) == (first.id, second.id)
    assert [(r.action, r.details["affiliate_id"]) for r in _audit_rows()[1:]] == [("company.affiliate", first.id)]
    again = client.post(f"/operator/companies/{first.id}/affiliates",
                        data={"credit_code": second.credit_code, "reason": "x"})
    assert again.status_code == 409 and len(_audit_rows()) == 2


def test_an_action_that_fails_when_written_leaves_no_row(client, operator, monkeypatch):
    """The pair is already there but the check misses it (a concurrent declaration): the insert fails at commit,
    and the audit row, in the same transaction, goes with it."""
    first, second = make_company("甲公司"), make_company("乙公司")
    db.session.add(CompanyAffiliation(company_id=first.id, affiliate_id=second.id))
    db.session.commit()
    monkeypatch.setattr("accounts.operators.affiliation_exists", lambda *args: False)
    log_in(client, operator)
    response = client.post(f"/operator/companies/{first.id}/affiliates",
                           data={"credit_code": second.credit_code, "reason": "x"})
    assert response.status_code == 409
    assert [r.action for r in _audit_rows()] == ["operator.grant"]
    assert db.session.scalar(select(func.count()).select_from(CompanyAffiliation)) == 1


def test_the_audit_log_is_insert_only(operator):
    row = _audit_rows()[0]
    row.action = "company.verify"
    with pytest.raises(AuditLogIsInsertOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(_audit_rows()[0])
    with pytest.raises(AuditLogIsInsertOnly):
        db.session.flush()
    db.session.rollback()
    assert [r.action for r in _audit_rows()] == ["operator.grant"]
