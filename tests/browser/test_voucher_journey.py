"""Issue #15's whole journey through the real pages, as the buyer, the operator and the vendor click them:
a company registered and verified → it applies to hz-2026 with a PDF → approved with a quota → the buyer
buys Ascend compute with the programme chosen, sees the three shares and pays only the company's in the
sandbox → the vendor delivers and records the invoice → the operator downloads the quarter's settlement
pack, and the line is in it with the company, its credit code and the three shares.

The shares are worked out here from the programme's rates: 100 card-hours of Ascend 910B at ¥9.50 is
¥950.00; a domestic chip earns 30% (¥285.00) and the platform gives 5% (¥47.50); the company pays ¥617.50."""

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from catalog.models import utcnow
from checkout.models import Order
from checkout.settlement import quarter_of
from extensions import db
from tests.browser.conftest import SCREENSHOTS
from tests.browser.steps import log_in, pay_in_sandbox
from tests.catalog.factories import gpu_offer
from tests.stall_support import make_user, make_vendor_member
from tests.vouchers.application_support import PDF
from tests.vouchers.conftest import hangzhou, load

pytestmark = pytest.mark.browser

COMPANY = "杭州深算智能科技有限公司"
CREDIT_CODE = "91330100000001505C"  # valid: tests/accounts/company_support.credit_code(150)
TOTAL, GOVERNMENT, PLATFORM, COMPANY_SHARE = (Decimal(v) for v in ("950.00", "285.00", "47.50", "617.50"))
SHARES_LINE = "政府补贴 ¥285.00 · 平台让利 ¥47.50 · 企业支付 ¥617.50"
INVOICE = "33012600000012345678"


@pytest.fixture()
def other_page(browser):
    """Another person's browser: a fresh context each call, closed at the end."""
    contexts = []

    def open_page():
        context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN", accept_downloads=True)
        contexts.append(context)
        made = context.new_page()
        made.set_default_timeout(15000)
        return made

    yield open_page
    for context in contexts:
        context.close()


def test_a_company_gets_its_voucher_and_the_operator_claims_it(live_server, page, other_page, screenshot):
    assert TOTAL == GOVERNMENT + PLATFORM + COMPANY_SHARE == Decimal("9.50") * 100
    assert (TOTAL * Decimal("0.30"), TOTAL * Decimal("0.05")) == (GOVERNMENT, PLATFORM)
    load(hangzhou())  # the seeded programme, in force whatever the year the test runs in
    buyer = make_user("buyer@shensuan.cn")
    ops = make_user("ops@platform.cn")
    ops.is_operator = True
    seller, vendor = make_vendor_member("ops@hzcloud.example", "hzcloud")
    vendor.name_zh, vendor.name_en = "杭州智算", "HZ Cloud"
    ascend = gpu_offer("9.50", "ascend-910b", vendor_slug="hzcloud", title="昇腾 910B ×1 按量", stock=50)
    db.session.commit()
    operator = other_page()
    log_in(operator, live_server, ops.email)

    # 1. The buyer registers the company with its credit code; it waits for verification.
    log_in(page, live_server, buyer.email)
    page.goto(f"{live_server}/account/company")
    page.fill("#name", COMPANY)
    page.fill("#credit_code", CREDIT_CODE)
    page.select_option("#region_id", "cn-hangzhou")
    page.click("main form[action$='/account/company'] button[type=submit]")
    page.wait_for_url("**/account/company")
    assert page.locator("main .badge").inner_text() == "尚未核验"

    # 2. The operator verifies it on /operator against the registry, with a reason.
    operator.goto(f"{live_server}/operator")
    review = operator.locator("tr", has_text=CREDIT_CODE).locator("form[action*='/review']")
    review.locator("input[name=reason]").fill("已在国家企业信用信息公示系统核对")
    review.locator("button[type=submit]").click()
    operator.wait_for_load_state()
    operator.goto(f"{live_server}/operator?show=verified")
    assert "已核验" in operator.locator("tr", has_text=CREDIT_CODE).inner_text()

    # 3. The buyer applies on the programme page: expected spend and the business licence as a PDF.
    page.goto(f"{live_server}/vouchers/hz-2026")
    apply = page.locator("#apply")
    apply.locator("#expected_spend").fill("¥500,000")
    apply.locator("#note").fill("大模型微调，昇腾集群")
    apply.locator("#documents").set_input_files(
        files=[{"name": "营业执照.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    apply.locator("button[type=submit]").click()
    page.wait_for_url("**/vouchers/hz-2026**")
    assert page.locator("#apply .badge").inner_text() == "待审核"

    # 4. The operator opens it from the list, sees the document, approves it with a quota.
    operator.goto(f"{live_server}/operator/applications")
    operator.click(f"text={COMPANY}")
    operator.wait_for_url("**/operator/applications/*")
    assert "营业执照.pdf" in operator.locator("main").inner_text()
    _shot(operator, "voucher-journey-00-application-review")
    approve = operator.locator("form", has=operator.locator("input[name=action][value=approve]"))
    approve.locator("#quota").fill("200000")
    approve.locator("button[type=submit]").click()
    operator.wait_for_load_state()
    page.goto(f"{live_server}/vouchers/hz-2026")
    assert "已批准" in page.locator("#apply").inner_text() and "¥200,000.00" in page.locator("#apply").inner_text()
    screenshot("voucher-journey-00-programme-approved")

    # 5. The buyer puts 100 card-hours of Ascend in the cart, chooses the programme and sees the three shares.
    page.goto(f"{live_server}/cart/add/{ascend.id}")
    page.fill("input[name=instances]", "1")
    page.fill("input[name=hours]", "100")
    page.click("#buy-form button[type=submit]")
    page.wait_for_url("**/cart")
    assert page.locator("#cart-total").inner_text().startswith("¥950.00")
    page.select_option("#voucher-program", "hz-2026")
    page.click("#voucher-panel button[type=submit]")
    page.wait_for_url("**/cart?program=hz-2026")
    assert page.locator("#cart-shares").inner_text() == SHARES_LINE
    assert "¥617.50" in page.locator("#voucher-applied").inner_text()
    screenshot("voucher-journey-01-cart-shares")

    # 6. Check out: the sandbox asks for the company's share, not the total.
    page.fill("input[name=email]", buyer.email)
    page.click(".checkout-form button[type=submit]")
    page.wait_for_url("**/stripe-sandbox/pay/**")
    assert page.locator("#sandbox-amount").inner_text() == "¥617.50"
    screenshot("voucher-journey-02-sandbox")
    pay_in_sandbox(page)
    assert page.locator("#order-status").inner_text() == "已支付"

    # 7. The vendor confirms the delivery on /stall/orders and records the invoice number.
    seller_page = other_page()
    log_in(seller_page, live_server, seller.email)
    seller_page.goto(f"{live_server}/stall/")
    seller_page.click("text=待交付订单")
    seller_page.wait_for_url("**/stall/orders")
    line = seller_page.locator("section.delivery-line")
    line.locator("input[name=start]").fill("2026-12-01T09:00")
    line.locator("input[name=end]").fill("2026-12-05T13:00")
    line.locator("input[name=amount]").fill("100")
    line.locator("button[value=delivered]").click()
    seller_page.wait_for_url("**/stall/orders")
    assert "已标记为已交付" in seller_page.locator(".flash").inner_text()
    seller_page.locator(".invoice-form input[name=invoice_number]").fill(INVOICE)
    seller_page.locator(".invoice-form button[type=submit]").click()
    seller_page.wait_for_url("**/stall/orders**")
    assert "发票号码已登记" in seller_page.locator(".flash").inner_text()

    # 8. The operator opens the quarter's settlement and downloads the pack.
    quarter = str(quarter_of(utcnow()))
    operator.goto(f"{live_server}/operator/vouchers/hz-2026?quarter={quarter}")
    settled = operator.locator("main table.data tbody tr")
    assert settled.count() == 1
    assert COMPANY in settled.inner_text() and CREDIT_CODE in settled.inner_text() and INVOICE in settled.inner_text()
    assert _headings_broken_across_lines(operator, "main table.settlement-lines thead th") == []
    _shot(operator, "voucher-journey-03-settlement")
    with operator.expect_download() as download_info:
        operator.click("main a.btn[href*='settlement.xlsx']")
    download = download_info.value
    assert download.suggested_filename == f"settlement-hz-2026-{quarter}.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    order = db.session.scalar(db.select(Order))
    assert len(rows) == 3  # the header, our line, the totals
    company, code, order_id, _vendor, _offer, quantity, _unit, total, government, platform, company_share = rows[1][:11]
    assert (company, code, order_id) == (COMPANY, CREDIT_CODE, order.id)
    assert Decimal(str(quantity)) == 100
    assert [Decimal(str(v)).quantize(Decimal("0.01")) for v in (total, government, platform, company_share)] == [
        TOTAL, GOVERNMENT, PLATFORM, COMPANY_SHARE]
    assert rows[1][-1] == INVOICE


def _headings_broken_across_lines(page, selector: str) -> list[str]:
    """Table headings whose text runs over more than one line ("订" over "单" reads as two words)."""
    return page.eval_on_selector_all(selector, """cells => cells.filter(cell => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
    }).map(cell => cell.textContent.trim())""")


def _shot(other, name: str) -> None:
    """The screenshot fixture shoots the buyer's page; this shoots another person's, to the same folder."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    other.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
