"""`flask --app app import-sheet`: the spec's summary line, exit codes, all-or-nothing, re-import."""

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from catalog.models import ImportRun, Offer, PriceHistory, Vendor
from extensions import db
from tests.offers.sheets import STANDARD_HEADER, csv_bytes, xlsx_bytes

ROWS = [
    {"sku": "h100-node", "kind": "gpu", "title": "8卡 H100 整机", "region": "华东1（杭州）", "billing": "包月",
     "gpu_model": "英伟达 H100 SXM", "gpu_count": "8", "price": "100000", "currency": "CNY", "price_unit": "元/月",
     "stock": "3"},
    {"sku": "4090", "kind": "GPU", "title": "RTX 4090", "region": "cn-beijing", "billing": "按量",
     "gpu_model": "RTX 4090", "gpu_count": "1", "price": "1.98", "currency": "", "price_unit": "元/卡时"},
    {"sku": "c4", "kind": "cpu", "title": "4 vCPU", "region": "us-east-1", "billing": "on_demand", "vcpus": "4",
     "price": "0.2", "currency": "USD", "price_unit": "hour"},
    {"sku": "ds", "kind": "token", "title": "DeepSeek V3", "model": "deepseek-chat", "input_price": "2",
     "output_price": "8", "currency": "CNY", "price_unit": "元/百万tokens"},
]


def run(runner, tmp_path, rows, *extra, header=STANDARD_HEADER, name="sheet.csv", encoding="utf-8", vendor="acme",
        data=None):
    path = tmp_path / name
    path.write_bytes(data if data is not None else csv_bytes(header, rows, encoding=encoding))
    result = runner.invoke(args=["import-sheet", str(path), "--vendor", vendor, *extra])
    summary = json.loads(result.output.strip().splitlines()[-1])
    return result, summary


def count_offers() -> int:
    return db.session.scalar(select(func.count()).select_from(Offer))


def test_a_good_sheet_lands_and_prints_the_summary_line(runner, tmp_path):
    result, summary = run(runner, tmp_path, ROWS)
    assert result.exit_code == 0
    assert summary["created"] == 4 and summary["updated"] == summary["unchanged"] == summary["rejected"] == 0
    assert summary["errors"] == []
    node = db.session.scalar(select(Offer).where(Offer.sku == "h100-node"))
    assert node.unit_price == Decimal("17.123288") and node.vendor.slug == "acme"


def test_an_unknown_vendor_slug_is_created(runner, tmp_path):
    run(runner, tmp_path, ROWS[:1], vendor="new-shop")
    assert db.session.scalar(select(Vendor).where(Vendor.slug == "new-shop")) is not None


def test_reimport_upserts_by_sku_and_keeps_the_old_price_in_history(runner, tmp_path):
    run(runner, tmp_path, ROWS)
    _, again = run(runner, tmp_path, ROWS)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 4)

    repriced = [dict(ROWS[0], price="90000"), *ROWS[1:]]
    result, summary = run(runner, tmp_path, repriced)
    assert result.exit_code == 0
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 1, 3)
    node = db.session.scalar(select(Offer).where(Offer.sku == "h100-node"))
    assert node.unit_price == Decimal("15.410959")  # 90000 / 730 / 8
    assert [h.unit_price for h in node.price_history] == [Decimal("17.123288"), Decimal("15.410959")]
    assert count_offers() == 4


def test_a_stock_change_is_an_update_without_a_new_price(runner, tmp_path):
    run(runner, tmp_path, ROWS)
    _, summary = run(runner, tmp_path, [dict(ROWS[0], stock="1"), *ROWS[1:]])
    assert summary["updated"] == 1
    node = db.session.scalar(select(Offer).where(Offer.sku == "h100-node"))
    assert node.stock == 1 and len(node.price_history) == 1


def test_one_bad_row_lands_nothing_and_says_row_column_reason(runner, tmp_path):
    bad = [*ROWS, dict(ROWS[1], sku="bad", price="-1"), dict(ROWS[1], sku="bad2", gpu_model="A1000")]
    result, summary = run(runner, tmp_path, bad)
    assert result.exit_code == 1
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 0, 0)
    assert summary["rejected"] == 2
    assert [(e["row"], e["column"]) for e in summary["errors"]] == [(6, "price"), (7, "gpu_model")]
    assert "大于 0" in summary["errors"][0]["message"]
    assert count_offers() == 0


def test_good_rows_mode_lands_the_good_ones(runner, tmp_path):
    bad = [*ROWS, dict(ROWS[1], sku="bad", price="abc")]
    result, summary = run(runner, tmp_path, bad, "--good-rows")
    assert result.exit_code == 0
    assert summary["created"] == 4 and summary["rejected"] == 1
    assert count_offers() == 4


def test_dry_run_reports_and_writes_nothing(runner, tmp_path):
    result, summary = run(runner, tmp_path, ROWS, "--dry-run")
    assert result.exit_code == 0
    assert summary["created"] == 4 and summary["dry_run"] is True
    assert count_offers() == 0


def test_duplicate_sku_in_one_sheet_is_an_error_on_the_second_row(runner, tmp_path):
    result, summary = run(runner, tmp_path, [ROWS[0], ROWS[1], dict(ROWS[1], price="2.5")])
    assert result.exit_code == 1
    assert summary["errors"][0]["row"] == 4 and summary["errors"][0]["column"] == "sku"
    assert "第 3 行" in summary["errors"][0]["message"]


def test_a_row_with_more_cells_than_headers_is_an_error(runner, tmp_path):
    data = csv_bytes(STANDARD_HEADER, ROWS[:1]) + b"x,gpu,t,cn-beijing,on_demand,T4,1,,,,,,,1,,,CNY,card_hour,,,surplus\n"
    result, summary = run(runner, tmp_path, [], data=data)
    assert result.exit_code == 1
    assert summary["errors"][0]["row"] == 3 and summary["errors"][0]["column"] is None


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_chinese_headers_in_chinese_excel_encodings(runner, tmp_path, encoding):
    header = ["编号", "类型", "标题", "地域", "计费方式", "型号", "卡数", "单价", "币种", "计费单位", "库存"]
    rows = [{"编号": "a1", "类型": "显卡", "标题": "昇腾910B 包年", "地域": "贵阳", "计费方式": "包年",
             "型号": "昇腾910B", "卡数": "8", "单价": "876000", "币种": "人民币", "计费单位": "元/年", "库存": "2"}]
    result, summary = run(runner, tmp_path, rows, header=header, encoding=encoding)
    assert result.exit_code == 0, result.output
    offer = db.session.scalar(select(Offer))
    assert (offer.gpu_model, offer.region, offer.billing) == ("ascend-910b", "cn-guiyang", "yearly")
    assert offer.unit_price == Decimal("12.500000")  # 876000 / 8760 / 8
    assert offer.title == "昇腾910B 包年"


def test_xlsx_sheet_lands(runner, tmp_path):
    data = xlsx_bytes(STANDARD_HEADER, ROWS, numeric=("gpu_count", "price", "vcpus", "input_price", "output_price"))
    result, summary = run(runner, tmp_path, [], name="prices.xlsx", data=data)
    assert result.exit_code == 0, result.output
    assert summary["created"] == 4
    assert db.session.scalar(select(Offer).where(Offer.sku == "4090")).list_amount == Decimal("1.98")


def test_a_mapping_file_maps_other_headers_and_fills_defaults(runner, tmp_path):
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({
        "columns": {"Instance": "sku", "Accelerator": "gpu_model", "GPUs": "gpu_count", "Hourly": "price",
                    "Zone": "region", "Ignored thing": None},
        "defaults": {"kind": "gpu", "currency": "USD", "price_unit": "hour", "billing": "on_demand"},
        "values": {"region": {"us-tx-1": "us-south"}},
    }), encoding="utf-8")
    header = ["Instance", "Accelerator", "GPUs", "Hourly", "Zone", "Ignored thing"]
    rows = [{"Instance": "gpu.4x.a100", "Accelerator": "A100 40GB", "GPUs": "4", "Hourly": "4.40",
             "Zone": "us-tx-1", "Ignored thing": "whatever"}]
    result, summary = run(runner, tmp_path, rows, "--mapping", str(mapping), header=header)
    assert result.exit_code == 0, result.output
    offer = db.session.scalar(select(Offer))
    fx = json.loads(runner.invoke(args=["fx-rates"]).output)
    assert offer.unit_price == (Decimal("4.40") * Decimal(fx["rates"]["USD"]) / 4).quantize(Decimal("0.000001"))
    assert offer.region == "us-south"


def test_a_mapping_to_an_unknown_standard_column_is_refused(runner, tmp_path):
    mapping = tmp_path / "m.json"
    mapping.write_text(json.dumps({"columns": {"x": "colour"}}), encoding="utf-8")
    result, summary = run(runner, tmp_path, ROWS, "--mapping", str(mapping))
    assert result.exit_code == 1 and "colour" in summary["errors"][0]["message"]


def test_an_unreadable_file_is_refused_on_row_one(runner, tmp_path):
    result, summary = run(runner, tmp_path, [], data=b"\xff\xfe\x80\x81garbage\x00\x9f")
    assert result.exit_code == 1
    assert summary["errors"][0]["row"] == 1 and summary["rejected"] == 1


def test_every_run_is_recorded(runner, tmp_path):
    run(runner, tmp_path, ROWS)
    run(runner, tmp_path, [dict(ROWS[0], price="x")])
    runs = db.session.scalars(select(ImportRun).order_by(ImportRun.id)).all()
    assert [(r.landed, r.created, r.rejected) for r in runs] == [(True, 4, 0), (False, 0, 1)]


def test_a_sheet_longer_than_one_chunk_lands_whole_or_not_at_all(runner, tmp_path):
    rows = [dict(ROWS[1], sku=f"4090-{i}", price=f"{1 + i / 10000:.4f}") for i in range(2500)]
    result, summary = run(runner, tmp_path, rows)
    assert result.exit_code == 0 and summary["created"] == 2500
    assert db.session.scalar(select(func.count()).select_from(PriceHistory)) == 2500
    # A bad row after two written chunks still undoes them all.
    rows[2400] = dict(rows[2400], price="oops")
    rows.append(dict(ROWS[1], sku="brand-new"))
    result, summary = run(runner, tmp_path, [dict(r, price="9") if i < 10 else r for i, r in enumerate(rows)])
    assert result.exit_code == 1 and summary["errors"][0]["row"] == 2402
    assert db.session.scalar(select(Offer).where(Offer.sku == "4090-0")).unit_price == Decimal("1.000000")
    assert db.session.scalar(select(Offer).where(Offer.sku == "brand-new")) is None
