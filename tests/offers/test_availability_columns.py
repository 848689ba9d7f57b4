"""Spec 4.1 columns through the sheet importer: aliases, rates, windows, spans, token-only columns."""

import json
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from catalog.models import Offer, PriceHistory
from extensions import db
from tests.offers.sheets import csv_bytes

GPU = {"sku": "g1", "kind": "gpu", "region": "cn-hangzhou", "billing": "on_demand", "gpu_model": "RTX 4090",
       "gpu_count": "1", "price": "2.00", "currency": "CNY", "price_unit": "card_hour"}
TOKEN = {"sku": "t1", "kind": "token", "model": "deepseek-v3", "input_price": "2", "output_price": "8",
         "currency": "CNY", "price_unit": "1m_tokens"}


def run(runner, tmp_path, rows, header=None):
    header = header or list(dict.fromkeys(k for row in rows for k in row))
    path = tmp_path / "sheet.csv"
    path.write_bytes(csv_bytes(header, rows))
    result = runner.invoke(args=["import-sheet", str(path), "--vendor", "acme"])
    return result, json.loads(result.output.strip().splitlines()[-1])


def offer(sku: str) -> Offer:
    db.session.expire_all()
    return db.session.scalar(select(Offer).where(Offer.sku == sku))


@pytest.mark.parametrize(("cell", "rate"), [("5折", "0.5"), ("7.5折", "0.75"), ("50%", "0.5"), ("0.5", "0.5"),
                                           ("0.25", "0.25"), ("五折", "0.5"), ("七五折", "0.75"), ("1", "1")])
def test_off_peak_rate_reads_as_written_in_china(runner, tmp_path, cell, rate):
    result, summary = run(runner, tmp_path, [dict(GPU, off_peak_hours="00:30-08:30", off_peak_rate=cell)])
    assert result.exit_code == 0, summary
    assert offer("g1").off_peak_rate == Decimal(rate)


@pytest.mark.parametrize("cell", ["1.5", "0", "-0.5", "150%", "0折", "half", "12折"])
def test_a_rate_above_one_or_not_above_zero_is_refused_naming_row_and_column(runner, tmp_path, cell):
    result, summary = run(runner, tmp_path, [GPU, dict(GPU, sku="g2", off_peak_hours="00:30-08:30",
                                                       off_peak_rate=cell)])
    assert result.exit_code != 0
    assert summary["created"] == 0 and offer("g1") is None
    assert [(e["row"], e["column"]) for e in summary["errors"]] == [(3, "off_peak_rate")]
    assert "rate" in summary["errors"][0]["message"]


def test_batch_rate_takes_the_same_words(runner, tmp_path):
    result, summary = run(runner, tmp_path, [dict(TOKEN, batch_rate="5折"), dict(TOKEN, sku="t2", batch_rate="200%")])
    assert [(e["row"], e["column"]) for e in summary["errors"]] == [(3, "batch_rate")]


def test_each_chinese_alias_names_its_column(runner, tmp_path):
    header = ["sku", "kind", "model", "input_price", "output_price", "currency", "price_unit", "可用开始", "可用结束",
              "每日可用时段", "闲时时段", "闲时折扣", "缓存写入单价", "批量折扣", "长上下文阈值", "长上下文输入单价",
              "长上下文输出单价"]
    row = dict(zip(header, ["t1", "token", "deepseek-v3", "2", "8", "CNY", "元/千tokens", "2026-12-01 08:00",
                            "2026-12-31", "08:00-23:00", "00:30-08:30", "5折", "0.5", "50%", "32000", "4", "16"],
                   strict=True))
    result, summary = run(runner, tmp_path, [row], header)
    assert result.exit_code == 0, summary
    assert summary["ignored_columns"] == []
    t = offer("t1")
    # Beijing 08:00 is 00:00 UTC; a date alone ends at 24:00 Beijing, 16:00 UTC that day.
    assert (t.available_from, t.available_to) == (datetime(2026, 12, 1, 0, 0), datetime(2026, 12, 31, 16, 0))
    assert (t.available_hours, t.off_peak_hours, t.off_peak_rate) == ("08:00-23:00", "00:30-08:30", Decimal("0.5"))
    # Token prices per 1K normalize to per 1M, like input and output.
    assert t.input_price == Decimal("2000") and t.cache_write_price == Decimal("500")
    assert (t.long_input_price, t.long_output_price) == (Decimal("4000"), Decimal("16000"))
    assert (t.batch_rate, t.long_context_threshold) == (Decimal("0.5"), 32000)
    assert t.list_cache_write_amount == Decimal("0.5")


@pytest.mark.parametrize(("alias", "column"), [("错峰时段", "off_peak_hours"), ("错峰折扣", "off_peak_rate"),
                                                ("批处理折扣", "batch_rate")])
def test_the_second_aliases_too(runner, tmp_path, alias, column):
    row = dict(TOKEN, **{"off_peak_hours": "00:30-08:30", "off_peak_rate": "0.5"})
    row[alias] = row.pop(column, "0.5")
    result, summary = run(runner, tmp_path, [row])
    assert result.exit_code == 0, summary
    assert getattr(offer("t1"), column) is not None


def test_usd_token_detail_prices_convert_at_the_fx_table(runner, tmp_path, app):
    result, summary = run(runner, tmp_path, [dict(TOKEN, currency="USD", cache_write_price="3.75",
                                                  long_context_threshold="200000", long_input_price="6")])
    assert result.exit_code == 0, summary
    t = offer("t1")
    rate = t.input_price / Decimal(2)  # CNY per USD in force
    assert t.cache_write_price == (Decimal("3.75") * rate).quantize(Decimal("0.000001"))
    assert t.long_input_price == Decimal(6) * rate and t.long_output_price is None


def test_a_window_may_wrap_midnight_and_is_stored_in_one_spelling(runner, tmp_path):
    result, summary = run(runner, tmp_path, [dict(GPU, available_hours="22:00～8:00", off_peak_hours="0:30 - 8:30",
                                                  off_peak_rate="0.5")])
    assert result.exit_code == 0, summary
    assert (offer("g1").available_hours, offer("g1").off_peak_hours) == ("22:00-08:00", "00:30-08:30")


@pytest.mark.parametrize("cell", ["8-18", "25:00-08:00", "08:00-08:00", "08:00", "08:61-09:00"])
def test_a_bad_window_names_its_column(runner, tmp_path, cell):
    _, summary = run(runner, tmp_path, [dict(GPU, available_hours=cell)])
    assert [e["column"] for e in summary["errors"]] == ["available_hours"]


def test_a_date_alone_as_the_end_means_the_end_of_that_day(runner, tmp_path):
    run(runner, tmp_path, [dict(GPU, available_from="2026-12-01", available_to="2026-12-07")])
    g = offer("g1")
    assert g.available_from == datetime(2026, 11, 30, 16, 0)  # 2026-12-01 00:00 Beijing
    assert g.available_to == datetime(2026, 12, 7, 16, 0)  # 2026-12-07 24:00 Beijing


def test_an_offset_is_kept_and_an_end_before_the_start_is_refused(runner, tmp_path):
    _, summary = run(runner, tmp_path, [dict(GPU, available_from="2026-12-01T00:00:00Z"),
                                        dict(GPU, sku="g2", available_from="2026-12-08", available_to="2026-12-01"),
                                        dict(GPU, sku="g3", available_to="next tuesday")])
    assert [(e["row"], e["column"]) for e in summary["errors"]] == [(3, "available_to"), (4, "available_to")]


@pytest.mark.parametrize("column", ["cache_write_price", "batch_rate", "long_context_threshold", "long_input_price",
                                    "long_output_price"])
def test_a_token_only_column_on_a_gpu_row_is_an_error_naming_it(runner, tmp_path, column):
    row = dict(GPU, **{column: "0.5" if column == "batch_rate" else "1000"})
    result, summary = run(runner, tmp_path, [row])
    assert result.exit_code != 0
    assert column in {e["column"] for e in summary["errors"]}
    assert any("only for token offers" in e["message"] for e in summary["errors"] if e["column"] == column)


def test_columns_that_only_mean_something_together(runner, tmp_path):
    _, summary = run(runner, tmp_path, [dict(GPU, off_peak_rate="0.5"), dict(GPU, sku="g2", off_peak_hours="00:30-08:30"),
                                        dict(TOKEN, long_input_price="4"), dict(TOKEN, sku="t2", long_context_threshold="1000")])
    assert [(e["row"], e["column"]) for e in summary["errors"]] == [
        (2, "off_peak_hours"), (3, "off_peak_rate"), (4, "long_context_threshold"), (5, "long_context_threshold")]


def test_empty_cells_mean_not_offered_never_zero(runner, tmp_path):
    result, _ = run(runner, tmp_path, [dict(TOKEN, off_peak_rate="", cache_write_price="", available_to="")])
    assert result.exit_code == 0
    t = offer("t1")
    assert (t.off_peak_rate, t.cache_write_price, t.available_to, t.batch_rate) == (None, None, None, None)


def test_a_reimport_with_changed_values_updates_them_without_a_price_history_entry(runner, tmp_path):
    run(runner, tmp_path, [dict(GPU, off_peak_hours="00:30-08:30", off_peak_rate="0.5")])
    _, same = run(runner, tmp_path, [dict(GPU, off_peak_hours="00:30-08:30", off_peak_rate="5折")])
    assert same["unchanged"] == 1
    _, changed = run(runner, tmp_path, [dict(GPU, off_peak_hours="01:00-07:00", off_peak_rate="0.25")])
    assert changed["updated"] == 1
    g = offer("g1")
    assert (g.off_peak_hours, g.off_peak_rate) == ("01:00-07:00", Decimal("0.25"))
    assert db.session.scalar(select(func.count()).select_from(PriceHistory).where(PriceHistory.offer_id == g.id)) == 1
    _, cleared = run(runner, tmp_path, [GPU])
    assert cleared["updated"] == 1 and offer("g1").off_peak_rate is None


def test_every_ignored_column_is_named_in_the_summary(runner, tmp_path):
    result, summary = run(runner, tmp_path, [dict(GPU, 机房等级="T3", warranty="1y")])
    assert result.exit_code == 0
    assert summary["ignored_columns"] == ["机房等级", "warranty"]
    assert "ignored columns" in result.output


def test_the_seed_sheets_carry_examples_of_the_new_columns(runner):
    from offers.cli import SEED_DIR

    for vendor, sheet in (("deepseek", "deepseek.csv"), ("google-gemini", "google-gemini.csv")):
        result = runner.invoke(args=["import-sheet", str(SEED_DIR / "offers" / sheet), "--vendor", vendor])
        assert result.exit_code == 0, result.output
    v3, gemini = offer("ds-v3"), offer("gem-25pro")
    assert (v3.off_peak_hours, v3.off_peak_rate) == ("00:30-08:30", Decimal("0.5"))
    assert (gemini.long_context_threshold, gemini.batch_rate) == (200000, Decimal("0.5"))
    assert gemini.long_input_price == 2 * gemini.input_price


def test_xlsx_date_cells_read_as_dates_and_times_as_times(runner, tmp_path):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    header = [*GPU, "available_from", "available_to"]
    sheet.append(header)
    sheet.append([*GPU.values(), datetime(2026, 12, 1, 8, 30), datetime(2026, 12, 31)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(buffer.getvalue())
    result = runner.invoke(args=["import-sheet", str(path), "--vendor", "acme"])
    assert result.exit_code == 0, result.output
    g = offer("g1")
    assert (g.available_from, g.available_to) == (datetime(2026, 12, 1, 0, 30), datetime(2026, 12, 31, 16, 0))
