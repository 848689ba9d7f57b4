"""The settlement pack (兑付) of a programme and a quarter: only claimable lines, the quarter on China's clock,
the same figures in XLSX and CSV with totals that add up, and pages only operators reach."""

import csv
import io
from datetime import datetime
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from checkout.settlement import HEADERS, BadQuarter, Quarter, parse_quarter, program_summaries, settlement
from checkout.write_off import record_invoice
from extensions import db
from tests.accounts.company_support import make_company
from tests.checkout.voucher_support import china, deliver, make_program, voucher_order
from tests.stall_support import log_in, make_user, make_vendor_member
from tests.web.test_every_page_translated import problems


@pytest.fixture()
def seller(app):
    return make_vendor_member("seller@example.cn", "acme")


@pytest.fixture()
def operator(app):
    user = make_user("ops@example.com")
    result = app.test_cli_runner().invoke(args=["operator", "grant", "ops@example.com"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return user


def _claimable(order, user, invoice: str = "12345678") -> None:
    for line in order.lines:
        deliver(line, user)
        record_invoice(db.session, line, invoice, by_user_id=user.id)


@pytest.fixture()
def world(seller):
    """Q4 2026 of yz-2026: two claimable orders (one of two lines), one awaiting its invoice, one awaiting
    delivery; besides them lines that are never in the pack: expired, no government share, another programme."""
    user, vendor = seller
    program, other = make_program(), make_program("hz-2026")
    company = make_company("扬州智算科技有限公司")
    first = voucher_order(program, vendor, company=company, paid_at="2026-10-01 00:10",
                          lines=(("1000.00", "300.00", "50.00"), ("333.33", "99.99", "16.66")))
    second = voucher_order(program, vendor, paid_at="2026-12-31 23:50", lines=(("12345.67", "3703.70", "617.28"),))
    _claimable(first, user)
    _claimable(second, user, "26332000000012345678")
    no_invoice = voucher_order(program, vendor, paid_at="2026-11-11 11:11")
    deliver(no_invoice.lines[0], user)
    not_delivered = voucher_order(program, vendor, paid_at="2026-11-12 09:00")
    record_invoice(db.session, not_delivered.lines[0], "87654321", by_user_id=user.id)
    voucher_order(program, vendor, status="expired")
    deliver(voucher_order(program, vendor, lines=(("500.00", "0.00", "25.00"),)).lines[0], user)
    _claimable(voucher_order(other, vendor), user)
    q3 = voucher_order(program, vendor, paid_at="2026-09-30 23:30")
    _claimable(q3, user)
    return {"program": program, "company": company, "first": first, "second": second, "q3": q3}


@pytest.mark.parametrize(("raw", "quarter"), [("2026Q4", Quarter(2026, 4)), (" 2027q1 ", Quarter(2027, 1))])
def test_a_quarter_is_a_year_and_its_number(raw, quarter):
    assert parse_quarter(raw) == quarter


@pytest.mark.parametrize("raw", [None, "", "2026Q5", "2026Q0", "2026-Q4", "Q4", "26Q4", "1999Q1", "２０２６Q4"])
def test_anything_else_is_not_a_quarter(raw):
    with pytest.raises(BadQuarter):
        parse_quarter(raw)


def test_quarters_begin_at_midnight_on_chinas_clock():
    assert Quarter(2026, 4).starts == datetime(2026, 9, 30, 16, 0) == china("2026-10-01 00:00")
    assert Quarter(2026, 4).ends == china("2027-01-01 00:00") and Quarter(2026, 3).ends == Quarter(2026, 4).starts


def test_the_pack_holds_the_quarters_claimable_lines_and_counts_the_rest(world):
    pack = settlement(db.session, world["program"], Quarter(2026, 4))
    assert [(r.order_id, r.line_total) for r in pack.rows] == [
        (world["first"].id, D("1000.00")), (world["first"].id, D("333.33")), (world["second"].id, D("12345.67"))]
    assert pack.not_claimable == 2  # one waits for its invoice, one for delivery
    first = pack.rows[0]
    assert (first.company, first.credit_code) == ("扬州智算科技有限公司", world["company"].credit_code)
    assert (first.government, first.platform, first.company_share) == (D("300.00"), D("50.00"), D("650.00"))
    assert first.paid_at == datetime(2026, 10, 1, 0, 10)  # China's clock
    assert first.invoice == "12345678" and first.delivered_at is not None
    assert pack.totals == {"line_total": D("13679.00"), "government": D("4103.69"), "platform": D("683.94"),
                           "company_share": D("8891.37")}


def test_a_payment_half_an_hour_before_october_is_in_the_third_quarter(world):
    q3 = settlement(db.session, world["program"], Quarter(2026, 3))
    assert [r.order_id for r in q3.rows] == [world["q3"].id]
    assert q3.rows[0].paid_at == datetime(2026, 9, 30, 23, 30)
    assert world["q3"].id not in {r.order_id for r in settlement(db.session, world["program"], Quarter(2026, 4)).rows}


def test_the_programmes_list_counts_voucher_lines_and_claimable_ones(world):
    summary = {s.program.code: s for s in program_summaries(db.session)}
    yz = summary["yz-2026"]
    # Q3 and Q4: 3 + 1 claimable lines, 2 not yet; the expired order and the 0-share line are not voucher lines.
    assert (yz.voucher_lines, yz.claimable) == (6, 4)
    assert yz.claimable_government == D("4103.69") + D("300.00")
    assert yz.government == yz.claimable_government + D("600.00")
    assert (summary["hz-2026"].voucher_lines, summary["hz-2026"].claimable) == (1, 1)


def _operator_client(app, user, lang="zh"):
    client = app.test_client()
    log_in(client, user)
    client.set_cookie("lang", lang)
    return client


def test_the_xlsx_has_the_columns_and_numeric_money_adding_up_to_the_totals_row(app, world, operator):
    response = _operator_client(app, operator).get("/operator/vouchers/yz-2026/settlement.xlsx?quarter=2026Q4")
    assert response.status_code == 200
    assert 'filename="settlement-yz-2026-2026Q4.xlsx"' in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADERS and rows[0][0] == "企业 / Company" and rows[0][1].startswith("统一社会信用代码")
    body, total = rows[1:-1], rows[-1]
    assert len(body) == 3 and total[0] == "合计 / Total"
    for column in range(7, 11):  # line total and the three shares
        assert all(isinstance(row[column], (int, float)) for row in body)
        assert D(str(sum(D(str(row[column])) for row in body))) == D(str(total[column]))
        assert sheet.cell(row=2, column=column + 1).number_format == "#,##0.00"
    assert [D(str(v)) for v in total[7:11]] == [D("13679.00"), D("4103.69"), D("683.94"), D("8891.37")]
    first = body[0]
    assert first[:3] == ("扬州智算科技有限公司", world["company"].credit_code, world["first"].id)
    assert (first[5], first[6]) == (100, "卡时 / card-hours")
    assert first[11] == datetime(2026, 10, 1, 0, 10) and first[13] == "12345678"


def test_the_csv_opens_with_a_bom_and_the_same_figures(app, world, operator):
    client = _operator_client(app, operator)
    response = client.get("/operator/vouchers/yz-2026/settlement.csv?quarter=2026Q4")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == HEADERS
    sheet = load_workbook(io.BytesIO(client.get("/operator/vouchers/yz-2026/settlement.xlsx?quarter=2026Q4").data)).active
    cells = list(sheet.iter_rows(values_only=True))
    assert len(rows) == len(cells) == 5
    for row, cell in zip(rows[1:], cells[1:], strict=True):
        assert [D(v) for v in row[7:11]] == [D(str(c)).quantize(D("0.01")) for c in cell[7:11]]
    assert rows[-1][7:11] == ["13679.00", "4103.69", "683.94", "8891.37"]
    assert rows[1][11] == "2026-10-01 00:10" and rows[3][13] == "26332000000012345678"


def test_the_quarter_page_shows_claim_states_and_what_is_missing(app, world, operator):
    page = _operator_client(app, operator).get("/operator/vouchers/yz-2026?quarter=2026Q4").text
    assert page.count("可核销</span>") == 3 and "待开票</span>" in page and "待交付</span>" in page
    assert "尚不可核销的算力券订单行：2 条" in page and "¥4,103.69" in page
    assert "settlement.xlsx?quarter=2026Q4" in page and "settlement.csv?quarter=2026Q4" in page
    listing = _operator_client(app, operator).get("/operator/vouchers").text
    assert "扬州市算力券" in listing and "¥4,403.69" in listing


@pytest.mark.parametrize("path", ["/operator/vouchers/yz-2026", "/operator/vouchers/yz-2026/settlement.xlsx",
                                  "/operator/vouchers/yz-2026/settlement.csv"])
def test_a_bad_quarter_is_a_400_naming_the_parameter(app, world, operator, path):
    client = _operator_client(app, operator)
    for bad in ("2026Q5", "Q4-2026", ""):
        response = client.get(f"{path}?quarter={bad}")
        assert response.status_code == 400 and "quarter" in response.text
    assert client.get(path.replace("yz-2026", "no-such")).status_code == 404


def test_only_operators_reach_the_pages_and_the_pack(app, world, seller):
    client = app.test_client()
    paths = ["/operator/vouchers", "/operator/vouchers/yz-2026?quarter=2026Q4",
             "/operator/vouchers/yz-2026/settlement.xlsx?quarter=2026Q4",
             "/operator/vouchers/yz-2026/settlement.csv?quarter=2026Q4"]
    assert all(client.get(p).status_code == 302 for p in paths)  # a stranger is sent to log in
    log_in(client, make_user("buyer@example.com"))
    assert [client.get(p).status_code for p in paths] == [403] * 4
    vendor_client = app.test_client()
    log_in(vendor_client, seller[0])  # the vendor of every line in the pack
    assert [vendor_client.get(p).status_code for p in paths] == [403] * 4


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_operator_pages_speak_one_language(app, world, operator, lang):
    client = _operator_client(app, operator, lang)
    removed = ("A100 80GB 按量 0", "A100 80GB 按量 1", "扬州智算科技有限公司", "杭州测试科技有限公司", "acme")
    for path in ["/operator/vouchers", "/operator/vouchers/yz-2026?quarter=2026Q4",
                 "/operator/vouchers/yz-2026?quarter=2025Q1"]:
        response = client.get(path)
        assert response.status_code == 200
        assert problems(response.text, lang, removed) == [], path
    bad = client.get("/operator/vouchers/yz-2026?quarter=x")
    assert problems(bad.text, lang, removed) == []


def test_typed_text_that_looks_like_a_formula_stays_text_in_both_files(app, seller, operator):
    user, vendor = seller
    company = make_company('=HYPERLINK("http://evil.example","点我")')
    order = voucher_order(make_program(), vendor, company=company, paid_at="2026-11-01 10:00")
    order.lines[0].title = "@SUM(1+1)"
    db.session.commit()
    _claimable(order, user)
    client = _operator_client(app, operator)
    cells = list(load_workbook(io.BytesIO(client.get("/operator/vouchers/yz-2026/settlement.xlsx?quarter=2026Q4")
                                          .data)).active.iter_rows(min_row=2, max_row=2))[0]
    assert (cells[0].data_type, cells[0].value) == ("s", '=HYPERLINK("http://evil.example","点我")')
    assert (cells[4].data_type, cells[4].value) == ("s", "@SUM(1+1)")
    text = client.get("/operator/vouchers/yz-2026/settlement.csv?quarter=2026Q4").data.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text)))[1]
    assert (row[0], row[4]) == ("'=HYPERLINK(\"http://evil.example\",\"点我\")", "'@SUM(1+1)")
