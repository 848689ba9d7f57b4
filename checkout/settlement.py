"""The operator's settlement pack (兑付) for one voucher programme and one quarter: rows, totals, XLSX and CSV.

Plain SQLAlchemy, no Flask. A quarter is counted by when orders were paid on China's clock
(2026-09-30 23:30 +08:00 is 2026Q3 even though it is the 30th at 15:30 UTC). The pack lists only
claimable lines (checkout/write_off.py); the voucher lines of the quarter not yet claimable are
counted apart, so the operator sees what is still missing before submitting.
"""

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, selectinload

from accounts import Company
from catalog.csv_export import csv_text  # the one CSV-injection guard, shared with the catalog export
from checkout.models import DeliveryState, Order, OrderLine, OrderStatus
from checkout.write_off import ClaimState, claim_state
from vouchers import VoucherProgram

CHINA = ZoneInfo("Asia/Shanghai")
FEN = Decimal("0.01")
QUARTER = re.compile(r"([0-9]{4})Q([1-4])")
MONEY_FORMAT = "#,##0.00"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
# The pack goes to a government office whatever the operator's page language: both, Chinese first.
HEADERS = ("企业 / Company", "统一社会信用代码 / Unified social credit code", "订单 / Order", "供应商 / Vendor",
           "商品 / Offer", "数量 / Quantity", "单位 / Unit", "订单行金额 / Line total",
           "政府补贴 / Government share", "平台让利 / Platform share", "企业支付 / Company share",
           "支付时间 / Paid at", "交付时间 / Delivered at", "发票号码 / Invoice")
TOTAL_LABEL = "合计 / Total"
UNIT_WORDS = {"card_hour": "卡时 / card-hours", "core_hour": "核时 / core-hours", "month": "月 / months",
              "year": "年 / years", "1m_tokens": "百万 tokens / 1M tokens"}


class BadQuarter(ValueError):
    """The quarter is not written as 2026Q4."""


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1-4

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def starts(self) -> datetime:
        """The quarter's first instant on China's clock, as naive UTC (how times are stored)."""
        return _utc(datetime(self.year, 3 * self.number - 2, 1, tzinfo=CHINA))

    @property
    def ends(self) -> datetime:
        """The next quarter's first instant, naive UTC (exclusive)."""
        year, month = (self.year + 1, 1) if self.number == 4 else (self.year, 3 * self.number + 1)
        return _utc(datetime(year, month, 1, tzinfo=CHINA))


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(tzinfo=None)


def china_time(at: datetime | None) -> datetime | None:
    """A stored naive-UTC time on China's wall clock, naive (a spreadsheet cell has no zone)."""
    return None if at is None else at.replace(tzinfo=UTC).astimezone(CHINA).replace(tzinfo=None)


def parse_quarter(raw: str | None) -> Quarter:
    """'2026Q4' (a lower-case q too) as a Quarter.

    :raise BadQuarter: anything else, or a year outside 2000-2099.
    """
    match = QUARTER.fullmatch((raw or "").strip().upper())
    if match is None or not 2000 <= int(match.group(1)) <= 2099:
        raise BadQuarter(raw)
    return Quarter(int(match.group(1)), int(match.group(2)))


def quarter_of(at: datetime) -> Quarter:
    """The quarter a naive-UTC time falls in, on China's clock."""
    local = china_time(at)
    return Quarter(local.year, (local.month - 1) // 3 + 1)


@dataclass(frozen=True)
class Row:
    company: str
    credit_code: str
    order_id: int
    vendor: str
    offer: str
    quantity: int
    unit: str  # the purchase unit's code; words through UNIT_WORDS
    line_total: Decimal
    government: Decimal
    platform: Decimal
    company_share: Decimal
    paid_at: datetime  # naive, China's clock
    delivered_at: datetime | None  # when the vendor confirmed delivery, naive, China's clock
    invoice: str


@dataclass
class Settlement:
    program: VoucherProgram
    quarter: Quarter
    rows: list[Row] = field(default_factory=list)  # claimable lines: the pack
    lines: list[tuple[OrderLine, str]] = field(default_factory=list)  # every voucher line of the quarter, its state
    not_claimable: int = 0
    companies: dict[int, Company] = field(default_factory=dict)  # the buying companies, by id

    @property
    def totals(self) -> dict[str, Decimal]:
        return {name: sum((getattr(r, name) for r in self.rows), Decimal("0.00")).quantize(FEN)
                for name in ("line_total", "government", "platform", "company_share")}


def settlement(session: Session, program: VoucherProgram, quarter: Quarter) -> Settlement:
    """The voucher lines of `program`'s paid orders paid in `quarter`, the claimable ones as pack rows."""
    found = session.execute(
        select(OrderLine, Company).join(Order, OrderLine.order_id == Order.id)
        .outerjoin(Company, Company.id == Order.company_id)
        .where(Order.voucher_program_id == program.id, Order.status == OrderStatus.PAID,
               OrderLine.government_share > 0, Order.paid_at >= quarter.starts, Order.paid_at < quarter.ends)
        .options(selectinload(OrderLine.deliveries), selectinload(OrderLine.order))
        .order_by(Order.paid_at, Order.id, OrderLine.id)).all()
    result = Settlement(program, quarter)
    for line, company in found:
        state = claim_state(line)
        result.lines.append((line, state))
        if company is not None:
            result.companies[company.id] = company
        if state != ClaimState.CLAIMABLE:
            result.not_claimable += 1
            continue
        delivered = next((d.at for d in line.deliveries if d.state == DeliveryState.DELIVERED), None)
        result.rows.append(Row(
            company=company.name if company else "", credit_code=company.credit_code if company else "",
            order_id=line.order_id, vendor=line.vendor_name, offer=line.title, quantity=line.quantity,
            unit=line.purchase_unit, line_total=line.line_total, government=line.government_share,
            platform=line.platform_share or Decimal("0.00"), company_share=line.company_share or Decimal("0.00"),
            paid_at=china_time(line.order.paid_at), delivered_at=china_time(delivered), invoice=line.invoice_number))
    return result


@dataclass(frozen=True)
class ProgramSummary:
    program: VoucherProgram
    voucher_lines: int
    claimable: int
    government: Decimal  # every voucher line's government share
    claimable_government: Decimal


def program_summaries(session: Session) -> list[ProgramSummary]:
    """Every programme with its paid voucher lines, how many are claimable, and the government shares: one query."""
    is_claimable = and_(OrderLine.delivery_state == DeliveryState.DELIVERED, OrderLine.invoice_number.is_not(None))
    counted = (select(Order.voucher_program_id.label("program_id"), func.count(OrderLine.id).label("lines"),
                      func.sum(case((is_claimable, 1), else_=0)).label("claimable"),
                      func.sum(OrderLine.government_share).label("government"),
                      func.sum(case((is_claimable, OrderLine.government_share), else_=0)).label("claimable_government"))
               .join(Order, OrderLine.order_id == Order.id)
               .where(Order.status == OrderStatus.PAID, OrderLine.government_share > 0,
                      Order.voucher_program_id.is_not(None))
               .group_by(Order.voucher_program_id).subquery())
    rows = session.execute(select(VoucherProgram, counted.c.lines, counted.c.claimable, counted.c.government,
                                  counted.c.claimable_government)
                           .outerjoin(counted, counted.c.program_id == VoucherProgram.id)
                           .order_by(VoucherProgram.valid_from.desc(), VoucherProgram.code)).all()
    zero = Decimal("0.00")
    return [ProgramSummary(program, lines or 0, int(claimable or 0), Decimal(government or zero).quantize(FEN),
                           Decimal(claimable_government or zero).quantize(FEN))
            for program, lines, claimable, government, claimable_government in rows]


def _cells(row: Row) -> list:
    return [row.company, row.credit_code, row.order_id, row.vendor, row.offer, row.quantity,
            UNIT_WORDS.get(row.unit, row.unit), row.line_total, row.government, row.platform, row.company_share,
            row.paid_at, row.delivered_at, row.invoice]


MONEY_COLUMNS = (8, 9, 10, 11)  # 1-based: line total and the three shares
TIME_COLUMNS = (12, 13)


def to_xlsx(pack: Settlement) -> bytes:
    """The pack as a workbook: a header row, one row per claimable line, a totals row; money cells numeric."""
    book = Workbook()
    sheet = book.active
    sheet.title = str(pack.quarter)
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in pack.rows:
        sheet.append(_cells(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # typed text stays text: openpyxl would store "=…" as a formula
    totals = pack.totals
    sheet.append([TOTAL_LABEL, None, None, None, None, None, None, totals["line_total"], totals["government"],
                  totals["platform"], totals["company_share"], None, None, None])
    sheet[sheet.max_row][0].font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for column in MONEY_COLUMNS:
            row[column - 1].number_format = MONEY_FORMAT
        for column in TIME_COLUMNS:
            row[column - 1].number_format = TIME_FORMAT
    for letter, width in zip("ABCDEFGHIJKLMN", (28, 22, 10, 16, 30, 10, 16, 14, 14, 14, 14, 17, 17, 24), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.quantize(FEN), "f")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)


def to_csv(pack: Settlement) -> bytes:
    """The pack as CSV, UTF-8 with a byte-order mark (Excel in China then reads the Chinese right), formula-like
    cells neutralized (company names and offer titles are typed by people)."""
    totals = pack.totals
    rows = [[_text(v) for v in _cells(row)] for row in pack.rows]
    rows.append([TOTAL_LABEL, "", "", "", "", "", "",
                 *(_text(totals[k]) for k in ("line_total", "government", "platform", "company_share")), "", "", ""])
    return csv_text(HEADERS, rows).encode("utf-8")


def file_name(pack: Settlement, extension: str) -> str:
    return f"settlement-{pack.program.code}-{pack.quarter}.{extension}"
