"""The operator's voucher pages (/operator/vouchers): programmes with their write-off counts, and one
programme's quarter, on the page and as the settlement pack (XLSX, CSV) submitted for 兑付. Operators only."""

from flask import Blueprint, Response, abort, render_template, request
from sqlalchemy import select

from accounts import operator_required
from catalog.models import utcnow
from checkout.settlement import (
    BadQuarter,
    Settlement,
    file_name,
    parse_quarter,
    program_summaries,
    quarter_of,
    settlement,
    to_csv,
    to_xlsx,
)
from extensions import db
from vouchers import VoucherProgram
from web.locale import gettext as _

bp = Blueprint("settlement", __name__, url_prefix="/operator/vouchers")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("")
@operator_required
def programmes():
    return render_template("checkout/operator_vouchers.html", summaries=program_summaries(db.session),
                           quarter=quarter_of(utcnow()))


def _pack(code: str) -> Settlement:
    """:raise 404: no programme by that code. :raise 400: a quarter not written as 2026Q4."""
    program = db.session.scalar(select(VoucherProgram).where(VoucherProgram.code == code)) or abort(404)
    raw = request.args.get("quarter")
    try:
        quarter = quarter_of(utcnow()) if raw is None else parse_quarter(raw)
    except BadQuarter:
        abort(400, description=_("The quarter parameter must be a year and a quarter, such as 2026Q4."))
    return settlement(db.session, program, quarter)


@bp.get("/<code>")
@operator_required
def programme(code: str):
    pack = _pack(code)
    return render_template("checkout/operator_settlement.html", pack=pack, quarters=_nearby(pack))


def _nearby(pack: Settlement) -> list[str]:
    """The quarter shown and the three before it, for the page's quick links."""
    year, number = pack.quarter.year, pack.quarter.number
    shown = []
    for _i in range(4):
        shown.append(f"{year}Q{number}")
        year, number = (year - 1, 4) if number == 1 else (year, number - 1)
    return shown


def _download(body: bytes, mimetype: str, name: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                      "Cache-Control": "no-store"})


@bp.get("/<code>/settlement.xlsx")
@operator_required
def settlement_xlsx(code: str):
    pack = _pack(code)
    return _download(to_xlsx(pack), XLSX, file_name(pack, "xlsx"))


@bp.get("/<code>/settlement.csv")
@operator_required
def settlement_csv(code: str):
    pack = _pack(code)
    return _download(to_csv(pack), "text/csv; charset=utf-8", file_name(pack, "csv"))
