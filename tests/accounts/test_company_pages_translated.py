"""The company and operator pages, in each state, speak only the page's language (the rule of tests/web/test_every_page_translated.py)."""

import pytest

from accounts.company_models import CompanyMember
from extensions import db
from tests.accounts.company_support import make_company
from tests.stall_support import log_in, make_user, make_vendor_member
from tests.web.test_every_page_translated import problems

# Typed by people: company names, emails, reasons.
TYPED = ("甲科技有限公司", "乙科技有限公司", "boss@example.com", "new@example.com", "ops@example.com", "boss", "new",
         "Boss", "核对了公示系统", "同一实际控制人")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_company_and_operator_pages_in_every_state(app, client, lang):
    boss, stall = make_vendor_member("boss@example.com", "boss")
    company = make_company("甲科技有限公司", owner=boss)
    other = make_company("乙科技有限公司")
    newcomer, ops = make_user("new@example.com"), make_user("ops@example.com")
    db.session.add(CompanyMember(company_id=company.id, user_id=newcomer.id, role="pending"))
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["operator", "grant", "ops@example.com"]).exit_code == 0
    client.set_cookie("lang", lang)
    pages = {}

    log_in(client, make_user("lone@example.com"))
    pages["register form"] = client.get("/account/company")
    pages["wrong code"] = client.post("/account/company", data={"name": "x", "credit_code": "914403001922038217",
                                                                 "region_id": ""})
    pages["code taken"] = client.post("/account/company", data={"name": "x", "credit_code": company.credit_code,
                                                                 "region_id": "cn-hangzhou"})
    pages["join bad code"] = client.post("/account/company/join", data={"credit_code": "B14403001922038216"})
    log_in(client, newcomer)
    pages["pending"] = client.get("/account/company")
    log_in(client, boss)
    pages["owner"] = client.get("/account/company")
    pages["account"] = client.get("/account")
    log_in(client, ops)
    client.post(f"/operator/companies/{company.id}/review", data={"action": "verify", "reason": "核对了公示系统"})
    client.post(f"/operator/companies/{company.id}/affiliates", data={"credit_code": other.credit_code,
                                                                      "reason": "同一实际控制人"})
    pages["operator all"] = client.get("/operator?show=all")
    pages["operator refused"] = client.post(f"/operator/companies/{company.id}/review",
                                            data={"action": "verify", "reason": "x"})
    pages["operator bad input"] = client.post(f"/operator/companies/{other.id}/affiliates",
                                              data={"credit_code": "123", "reason": ""})
    pages["audit"] = client.get("/operator/audit")
    log_in(client, newcomer)
    pages["403"] = client.get("/operator")

    assert pages["owner"].status_code == 200 and "new@example.com" in pages["owner"].text
    assert pages["operator refused"].status_code == 409 and pages["operator bad input"].status_code == 400
    assert pages["403"].status_code == 403
    failures = {name: found for name, response in pages.items()
                if (found := problems(response.text, lang, TYPED + (stall.name_en, stall.name_zh)))}
    assert not failures, failures
