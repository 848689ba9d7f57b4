"""The My company page: register with a checked code, a wrong code refused with its reason, a taken code, joining."""

import pytest
from sqlalchemy import select

from accounts.company_models import Company, CompanyMember, CompanyVendor
from extensions import db
from tests.accounts.company_support import credit_code, make_company
from tests.stall_support import log_in, make_user, make_vendor_member

HUAWEI = "914403001922038216"


def _form(**changes) -> dict:
    return {"name": "深圳测试科技有限公司", "credit_code": HUAWEI, "region_id": "cn-shenzhen", **changes}


@pytest.fixture()
def buyer(client):
    user = make_user("buyer@example.com")
    log_in(client, user)
    return user


def test_the_page_offers_to_register_or_join(client, buyer):
    page = client.get("/account/company?lang=zh").text
    assert "登记企业" in page and "加入已登记的企业" in page and "统一社会信用代码" in page
    assert "深圳" in page  # the registry's regions to choose from


def test_a_valid_company_is_registered_with_the_user_as_owner(client, buyer):
    response = client.post("/account/company", data=_form(credit_code=" 9144 0300 1922 0382 16 "))
    assert response.status_code == 302
    company = db.session.scalar(select(Company))
    assert (company.credit_code, company.region_id, company.verified_at) == (HUAWEI, "cn-shenzhen", None)
    page = client.get("/account/company?lang=en").text
    assert "深圳测试科技有限公司" in page and HUAWEI in page and "Shenzhen" in page and "not verified yet" in page


@pytest.mark.parametrize(("lang", "reason"), [
    ("zh", "第 18 位校验码应为 6（按所填前 17 位计算），请逐位核对。"),
    ("en", "Character 18, the check character, should be 6 for the first 17 as typed: check each character."),
])
def test_a_wrong_code_is_refused_with_the_reason(client, buyer, lang, reason):
    response = client.post(f"/account/company?lang={lang}", data=_form(credit_code="914403001922038217"))
    assert response.status_code == 400
    assert reason in response.text
    assert 'value="914403001922038217"' in response.text  # what was typed stays, to correct it
    assert db.session.scalar(select(Company)) is None


def test_missing_fields_are_named(client, buyer):
    response = client.post("/account/company?lang=en", data={"credit_code": HUAWEI, "region_id": "mars"})
    assert response.status_code == 400
    assert "Missing data for required field." in response.text and "Choose a region from the list." in response.text


def test_a_registered_code_is_refused_and_the_join_form_filled_in(client, buyer):
    make_company("华为", owner=make_user("boss@example.com")).credit_code = HUAWEI
    db.session.commit()
    response = client.post("/account/company?lang=zh", data=_form())
    assert response.status_code == 409
    assert "该统一社会信用代码的企业已登记，请在下方申请加入。" in response.text
    assert f'id="join_credit_code" name="credit_code" maxlength="40" value="{HUAWEI}"' in response.text
    assert db.session.scalar(select(Company.id).where(Company.name == "深圳测试科技有限公司")) is None


def test_join_then_owner_approves(app, client, buyer):
    boss = make_user("boss@example.com")
    company = make_company("杭州某某科技有限公司", owner=boss)
    assert client.post("/account/company/join", data={"credit_code": company.credit_code}).status_code == 302
    assert "您已申请加入杭州某某科技有限公司" in client.get("/account/company?lang=zh").text
    request_id = db.session.scalar(select(CompanyMember.id).where(CompanyMember.user_id == buyer.id))
    # The person asking cannot approve themselves.
    assert client.post(f"/account/company/requests/{request_id}", data={"decision": "approve"}).status_code == 404
    log_in(client, boss)
    assert client.post(f"/account/company/requests/{request_id}", data={"decision": "approve"}).status_code == 302
    assert db.session.get(CompanyMember, request_id).role == "member"


def test_join_with_a_bad_code_says_why(client, buyer):
    response = client.post("/account/company/join?lang=en", data={"credit_code": "91440300192203821"})
    assert response.status_code == 400
    assert "A unified social credit code has 18 characters; this one has 17." in response.text


def test_a_vendor_member_links_the_vendor_to_their_company(client):
    seller, stall = make_vendor_member("seller@example.com", "stall")
    make_company("卖家公司", owner=seller)
    log_in(client, seller)
    page = client.get("/account/company?lang=en").text
    assert "Link my vendor Stall to this company" in page
    assert client.post("/account/company/vendor").status_code == 302
    assert db.session.scalar(select(CompanyVendor.vendor_id)) == stall.id
    assert client.post("/account/company/vendor").status_code == 409  # once only


def test_a_person_without_a_company_cannot_link_a_vendor(client):
    seller, _stall = make_vendor_member("seller@example.com", "stall")
    log_in(client, seller)
    assert client.post("/account/company/vendor").status_code == 404


def test_the_page_needs_log_in(client):
    assert client.get("/account/company").status_code == 302


def test_codes_of_other_companies_stay_unique(client, buyer):
    code = credit_code()
    assert client.post("/account/company", data=_form(credit_code=code, region_id="cn-zhejiang")).status_code == 302
    log_in(client, make_user("second@example.com"))
    assert client.post("/account/company", data=_form(credit_code=code.lower(), region_id="cn-hangzhou")).status_code == 409


@pytest.mark.parametrize(("lang", "reason"), [
    ("zh", "统一社会信用代码的登记地在广东，请选择广东的地区。"),
    ("en", "The credit code was issued in Guangdong: choose a region in Guangdong."),
])
def test_the_region_must_be_in_the_province_that_issued_the_code(client, buyer, lang, reason):
    response = client.post(f"/account/company?lang={lang}", data=_form(region_id="cn-hangzhou"))
    assert response.status_code == 400 and reason in response.text
    assert client.post("/account/company", data=_form(region_id="cn-guangdong")).status_code == 302


def test_the_stall_leads_to_the_company_page(client):
    seller, _stall = make_vendor_member("seller@example.com", "stall")
    log_in(client, seller)
    assert 'href="/account/company"' in client.get("/stall/").text
