"""A vendor in a real browser: sign up, list an offer by form, upload a GBK sheet with a bad row, fix it, apply."""

import csv
import io

import pytest
from playwright.sync_api import expect

from tests.stall_support import use_tmp_uploads

pytestmark = pytest.mark.browser

HEADER = "编号,类型,标题,地域,计费方式,型号,卡数,单价,币种,计费单位,库存"
ROWS = ["bx-4090-1,显卡,RTX 4090 单卡 按量,杭州,按量,RTX 4090,1,1.88,人民币,元/卡时,9",
        "bx-a100-8,显卡,A100 八卡整机 包月,北京,包月,A100 80GB,8,98000,人民币,元/月,2",
        "bx-bad-1,显卡,写错型号的一行,杭州,按量,RTX 9999,1,2.10,人民币,元/卡时,3"]



def _until(condition, timeout: float = 15.0) -> None:
    """Poll from Python: page.wait_for_function evaluates a string, which the CSP (no unsafe-eval) forbids."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


@pytest.fixture()
def uploads(app, tmp_path, queue_worker):
    previous = use_tmp_uploads(app, tmp_path)
    yield
    app.config["UPLOAD_DIR"] = previous


def gb18030(rows: list[str]) -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode("gb18030")


def test_vendor_journey(live_server, page, screenshot, uploads):
    # Sign up as a vendor.
    page.goto(f"{live_server}/signup")
    page.fill("#email", "shop@example.com")
    page.fill("#display_name", "小王")
    page.fill("#password", "a long password")
    page.fill("#confirm", "a long password")
    page.check("#as_vendor")
    screenshot("stall-01-signup")
    page.click("button[type=submit]")
    # Sign-up answers a new and a taken email alike, so the new account logs in once.
    page.wait_for_url("**/login**")
    page.fill("#email", "shop@example.com")
    page.fill("#password", "a long password")
    page.click("button[type=submit]")
    page.wait_for_url("**/account/vendor")
    page.fill("#name_zh", "小算力科技")
    page.fill("#name_en", "Tiny Compute")
    page.fill("#contact", "ops@tiny.example")
    page.click("button[type=submit]")
    page.wait_for_url("**/stall/")

    # List an offer by form, watching the live preview.
    page.goto(f"{live_server}/stall/offers/new")
    page.select_option("#f-kind", "gpu")
    assert page.is_hidden("#f-model") and page.is_visible("#f-gpu_model")
    page.fill("#f-sku", "form-4090")
    page.fill("#f-gpu_model", "4090")
    _until(lambda: page.locator("#dl-gpu_model option").count() < 5)
    page.fill("#f-gpu_model", "rtx-4090")
    page.fill("#f-gpu_count", "2")
    page.fill("#f-region", "杭州")
    page.select_option("#f-price_unit", "hour")
    page.fill("#f-price", "3.80")
    expect(page.locator("#price-preview")).to_contain_text("¥1.90")
    assert page.inner_text("#price-preview") == "= ¥1.90 / 卡时"
    screenshot("stall-02-offer-form-live-preview")
    page.click("form#offer-form button[type=submit]")
    page.wait_for_url("**/stall/")
    assert "form-4090" in page.inner_text("table.data")

    # Upload a GBK sheet with one bad row.
    page.goto(f"{live_server}/stall/upload")
    page.set_input_files("#sheet", files=[{"name": "价格表.csv", "mimeType": "text/csv", "buffer": gb18030(ROWS)}])
    page.click("form button[type=submit]")
    page.wait_for_url("**/preview")
    bad = page.locator("tr.change-error")
    assert bad.count() == 1 and "RTX 9999" in bad.inner_text() and "第 4 行" in bad.inner_text()
    assert page.locator("tr.change-new").count() == 2
    screenshot("stall-03-upload-preview-bad-row")

    # All or nothing (the default) refuses the sheet and says why.
    page.click("form.apply-form button[type=submit]")
    page.wait_for_selector("text=未导入任何内容")
    page.go_back()
    page.go_back()
    page.wait_for_url("**/preview")

    # Download the bad rows, fix the model, upload the fixed sheet.
    with page.expect_download() as download:
        page.click("text=下载错误行（含错误说明列），修正后重新上传")
    with open(download.value.path(), encoding="utf-8-sig") as saved:
        rows = list(csv.reader(saved))
    assert [r[0] for r in rows[1:]] == ["bx-bad-1"]
    rows[1][5] = "RTX 4090D"
    fixed = io.StringIO()
    csv.writer(fixed).writerows(rows)
    # All three rows again, the bad one fixed, so the apply lands all or nothing.
    fixed_rows = ROWS[:2] + [",".join(rows[1][:-1])]
    page.goto(f"{live_server}/stall/upload")
    page.set_input_files("#sheet", files=[{"name": "价格表-改.csv", "mimeType": "text/csv",
                                          "buffer": gb18030(fixed_rows)}])
    page.click("form button[type=submit]")
    page.wait_for_url("**/preview")
    assert page.locator("tr.change-error").count() == 0
    page.click("form.apply-form button[type=submit]")
    page.wait_for_selector("text=价格表已导入")
    screenshot("stall-04-apply-done")

    # A bigger sheet shows the job page with its progress while it runs (20,000 rows: on a quiet machine
    # 4,000 were previewed before the job page could show them).
    big = [f"bx-many-{i},显卡,批量 {i},杭州,按量,RTX 4090,1,{1.5 + i % 50 / 100:.2f},人民币,元/卡时,1" for i in range(20000)]
    page.goto(f"{live_server}/stall/upload")
    page.set_input_files("#sheet", files=[{"name": "大表.csv", "mimeType": "text/csv", "buffer": gb18030(big)}])
    page.click("form button[type=submit]")
    page.wait_for_selector("#job-progress")
    _until(lambda: float(page.locator("#job-progress").evaluate("e => e.value") or 0) > 0)
    screenshot("stall-05-job-progress")
    page.wait_for_url("**/preview", timeout=120_000)

    # The import history, then the offers in the public search.
    page.goto(f"{live_server}/stall/imports")
    assert page.locator("table.imports tbody tr").count() == 2
    assert "价格表-改.csv" in page.inner_text("table.imports")
    screenshot("stall-06-import-history")
    page.goto(f"{live_server}/api/v1/offers?vendor=tiny-compute&per_page=10&sort=unit_price")
    body = page.inner_text("body")
    for sku in ("form-4090", "bx-4090-1", "bx-a100-8", "bx-bad-1"):
        assert sku in body
