"""Applying on the programme page, the company's list, and the operator's review, through the test client."""

import io
import re

import pytest
from sqlalchemy import func, select

from accounts import AuditLog
from extensions import db
from tests.stall_support import log_in, make_user
from tests.vouchers.application_support import EXE, PDF, PNG, applicant, operator
from tests.web.test_every_page_translated import problems
from vouchers.models import ApplicationDocument, ApplicationStatus, VoucherApplication


def _files(*files) -> list:
    return [(io.BytesIO(data), name) for name, data in files]


def _apply(client, spend="120000", files=(("营业执照.pdf", PDF),), lang="zh", **extra):
    return client.post(f"/vouchers/hz-2026/apply?lang={lang}", data={
        "expected_spend": spend, "documents": _files(*files), **extra}, content_type="multipart/form-data")


def _applications() -> list[VoucherApplication]:
    db.session.expire_all()
    return list(db.session.scalars(select(VoucherApplication)))


def _audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditLog))


@pytest.fixture()
def company_owner(hz, client):
    owner, company = applicant()
    log_in(client, owner)
    return owner, company


def test_a_stranger_is_asked_to_log_in_and_cannot_post(client, hz):
    page = client.get("/vouchers/hz-2026?lang=en").text
    assert "Log in to apply" in page and "/login?next=" in page
    response = _apply(client)
    assert response.status_code == 302 and "/login" in response.location
    assert _applications() == []


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", "只有企业可以申请"), ("en", "Only a company can apply")])
def test_someone_without_a_company_is_sent_to_register_one(client, hz, lang, words):
    log_in(client, make_user("solo@example.com"))
    page = client.get(f"/vouchers/hz-2026?lang={lang}").text
    assert words in page and 'href="/account/company"' in page and 'name="expected_spend"' not in page


@pytest.mark.parametrize(("lang", "words"), [("zh", "尚未核验"), ("en", "not verified yet")])
def test_an_unverified_company_is_told_so_and_its_post_is_refused(client, hz, lang, words):
    owner, _ = applicant(verified=False)
    log_in(client, owner)
    assert words in client.get(f"/vouchers/hz-2026?lang={lang}").text
    response = _apply(client, lang=lang)
    assert response.status_code == 409 and words in response.text
    assert _applications() == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_apply_then_see_the_status_on_the_programme_and_company_pages(client, company_owner, lang):
    _, company = company_owner
    page = client.get(f"/vouchers/hz-2026?lang={lang}").text
    assert 'enctype="multipart/form-data"' in page and 'name="csrf_token"' in page
    response = _apply(client, files=[("营业执照.pdf", PDF), ("合同.png", PNG)], note="大模型训练", lang=lang)
    assert response.status_code == 302 and response.location.endswith("/vouchers/hz-2026#apply")
    [application] = _applications()
    assert (application.company_id, application.status, len(application.documents)) == (
        company.id, ApplicationStatus.PENDING, 2)
    page = client.get(f"/vouchers/hz-2026?lang={lang}").text
    assert {"zh": "待审核", "en": "Waiting for review"}[lang] in page and 'name="expected_spend"' not in page
    mine = client.get(f"/account/company?lang={lang}").text
    assert {"zh": "算力券申请", "en": "Compute voucher applications"}[lang] in mine
    assert {"zh": "杭州市算力券", "en": "Hangzhou compute vouchers"}[lang] in mine
    assert not problems(page, lang, ("杭州测试科技有限公司",)), problems(page, lang, ())
    assert not problems(mine, lang, ("杭州测试科技有限公司",))


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"expected_spend": "0"}, "expected_spend", "Must be greater than 0"),
    ({"expected_spend": "abc"}, "expected_spend", "Not a valid number."),
    ({"files": (("licence.pdf", EXE),)}, "documents", "licence.pdf is not a PDF, PNG, JPEG or WebP file"),
    ({"files": ()}, "documents", "Attach at least one document"),
    ({"files": [(f"{i}.pdf", PDF) for i in range(6)]}, "documents", "Longer than maximum length 5."),
])
def test_bad_input_names_the_field_and_writes_nothing(client, company_owner, data, field, words):
    response = _apply(client, lang="en", **({"spend": data["expected_spend"]} if "expected_spend" in data else {}),
                      **({"files": data["files"]} if "files" in data else {}))
    assert response.status_code in (400, 422)
    assert words in response.text
    assert re.search(rf'id="{field}"[^>]*>', response.text)
    assert _applications() == []


def test_the_bad_input_message_is_in_chinese_on_a_chinese_page(client, company_owner):
    response = _apply(client, files=(("a.pdf", EXE),))
    assert response.status_code == 400 and "a.pdf 不是 PDF、PNG、JPEG 或 WebP 文件" in response.text


def test_the_company_downloads_its_documents_and_nobody_else_does(client, company_owner):
    owner, _ = company_owner
    _apply(client, files=[("营业执照.pdf", PDF)])
    doc = db.session.scalar(select(ApplicationDocument))
    response = client.get(f"/vouchers/documents/{doc.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf" in response.headers["Content-Disposition"]
    other, _ = applicant("other@example.com")
    log_in(client, other)
    assert client.get(f"/vouchers/documents/{doc.id}").status_code == 403
    log_in(client, make_user("solo@example.com"))
    assert client.get(f"/vouchers/documents/{doc.id}").status_code == 403
    assert client.get("/vouchers/documents/999999").status_code == 403
    log_in(client, operator())
    assert client.get(f"/vouchers/documents/{doc.id}").data == PDF
    assert client.get("/vouchers/documents/999999").status_code == 404
    with client.session_transaction() as session:
        session.clear()
    assert client.get(f"/vouchers/documents/{doc.id}").status_code == 302


def test_a_non_operator_gets_403_on_every_application_page(client, company_owner):
    _apply(client)
    [application] = _applications()
    for method, path in [("GET", "/operator/applications"), ("GET", f"/operator/applications/{application.id}"),
                         ("POST", f"/operator/applications/{application.id}/decision")]:
        assert client.open(path, method=method, data={"action": "approve"}).status_code == 403, path
    assert _applications()[0].status == ApplicationStatus.PENDING and _audit_count() == 0


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_operator_reviews_approves_and_revokes_and_the_company_reapplies(client, company_owner, lang):
    owner, company = company_owner
    _apply(client)
    [application] = _applications()
    ops = operator()
    log_in(client, ops)
    listing = client.get(f"/operator?lang={lang}").text
    assert 'href="/operator/applications"' in listing
    page = client.get(f"/operator/applications?lang={lang}").text
    assert company.name in page and f"/operator/applications/{application.id}" in page
    assert company.name not in client.get(f"/operator/applications?status=approved&lang={lang}").text
    assert company.name not in client.get(f"/operator/applications?program=sz-example&lang={lang}").text
    assert client.get("/operator/applications?status=bogus").status_code == 400
    detail = client.get(f"/operator/applications/{application.id}?lang={lang}").text
    assert company.credit_code in detail and "120,000.00" in detail
    assert f"/vouchers/documents/{application.documents[0].id}" in detail
    removed = (company.name, "营业执照.pdf", "ops@example.com")
    for html in (page, detail):
        assert not problems(html, lang, removed), problems(html, lang, removed)

    decide = f"/operator/applications/{application.id}/decision?lang={lang}"
    above = client.post(decide, data={"action": "approve", "quota": "8000000.01"})
    assert above.status_code == 422 and 'id="quota"' in above.text and 'aria-invalid="true"' in above.text
    blank = client.post(decide, data={"action": "refuse", "reason": "  "})
    assert blank.status_code == 400 and {"zh": "请说明原因", "en": "Give the reason"}[lang] in blank.text
    assert _audit_count() == 0 and _applications()[0].status == ApplicationStatus.PENDING

    assert client.post(decide, data={"action": "approve", "quota": "500000"}).status_code == 302
    assert client.post(decide, data={"action": "approve"}).status_code == 409  # decided already
    log_in(client, owner)
    assert "500,000.00" in client.get(f"/vouchers/hz-2026?lang={lang}").text
    log_in(client, ops)
    assert client.post(decide, data={"action": "revoke", "reason": "合同作废"}).status_code == 302
    actions = [r.action for r in db.session.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert actions == ["voucher.approve", "voucher.revoke"]
    audit = client.get(f"/operator/audit?lang={lang}").text
    assert {"zh": "撤销算力券批准", "en": "Revoked a voucher approval"}[lang] in audit

    log_in(client, owner)
    page = client.get(f"/vouchers/hz-2026?lang={lang}").text
    assert "合同作废" in page and 'name="replace_documents"' in page
    assert not problems(page, lang, ("合同作废", "营业执照.pdf", "杭州测试科技有限公司")), problems(page, lang, ())
    assert _apply(client, spend="90000", files=[("新合同.png", PNG)], replace_documents="true",
                  lang=lang).status_code == 302
    [again] = _applications()
    assert (again.status, again.expected_spend, [d.filename for d in again.documents]) == (
        ApplicationStatus.PENDING, 90000, ["新合同.png"])


def test_csrf_guards_the_apply_and_decision_forms(app, client, company_owner):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert _apply(client).status_code == 400
        assert _applications() == []
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/vouchers/hz-2026").text).group(1)
        assert _apply(client, csrf_token=token).status_code == 302
        [application] = _applications()
        log_in(client, operator())
        detail = client.get(f"/operator/applications/{application.id}").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', detail).group(1)
        decide = f"/operator/applications/{application.id}/decision"
        assert client.post(decide, data={"action": "approve"}).status_code == 400
        assert client.post(decide, data={"action": "approve", "csrf_token": token}).status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
