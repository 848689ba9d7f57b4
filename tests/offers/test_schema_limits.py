"""Bugs the fuzzers found in offers/schema.py: values that crashed or could not be stored are refused."""

from decimal import Decimal

import pytest
from marshmallow import ValidationError

from catalog.context import SEED_FX
from catalog.registry import default_registries
from offers.schema import CatalogContext, load_offer
from pricing.currency import FxTable

CONTEXT = CatalogContext(registries=default_registries(), fx=FxTable.load(SEED_FX))
GPU = {"sku": "a", "kind": "gpu", "gpu_model": "A100", "gpu_memory_gb": "80", "region": "cn-beijing",
       "billing": "按量", "currency": "CNY", "price_unit": "hour", "price": "10", "gpu_count": "1"}
CPU = {"sku": "c", "kind": "cpu", "region": "cn-beijing", "billing": "按量", "currency": "CNY",
       "price_unit": "hour", "price": "1", "vcpus": "4"}


def _errors(row: dict) -> dict:
    with pytest.raises(ValidationError) as caught:
        load_offer(CONTEXT, row)
    return caught.value.messages


def test_a_sane_offer_still_loads():
    assert load_offer(CONTEXT, GPU)["unit_price"] == 10


def test_a_huge_exponent_is_refused_not_a_crash():
    # Was decimal.InvalidOperation out of the normalizer's quantize (a 500 on upload).
    assert "price" in _errors({**GPU, "price": "1e999999999"})
    assert "price" in _errors({**GPU, "price": "9" * 60})


def test_a_gpu_count_that_does_not_fit_its_column_is_refused():
    # gpu_count is NUMERIC(10, 4): 5,000,000 passed validation and failed on PostgreSQL's INSERT.
    assert "gpu_count" in _errors({**GPU, "gpu_count": "5000000"})


def test_a_normalized_price_too_large_for_its_column_is_refused():
    # 1e9 USD a minute over 0.01 vCPU normalizes past NUMERIC(20, 6).
    assert "price" in _errors({**CPU, "price": "1000000000", "currency": "USD", "price_unit": "minute",
                                "vcpus": "0.01"})


def test_a_price_that_normalizes_to_zero_is_refused():
    # It would rank as free, above every real offer.
    assert "price" in _errors({**GPU, "price": "0.0000001", "price_unit": "month"})


TOKEN = {"sku": "t", "kind": "token", "model": "deepseek-chat", "currency": "CNY", "price_unit": "1m_tokens",
         "input_price": "2", "output_price": "8"}


@pytest.mark.parametrize(("row", "field", "places"), [
    # Each was stored as 0 (NUMERIC(10, 4) / (10, 2)), and the offer's Buy page then answered 500.
    ({**GPU, "gpu_count": "1e-30"}, "gpu_count", 4),
    ({**GPU, "gpu_count": "0.00001"}, "gpu_count", 4),
    ({**CPU, "vcpus": "0.001"}, "vcpus", 2),
    ({**CPU, "ram_gb": "1.001"}, "ram_gb", 2),
    # A listed amount keeps ten places: an eleventh would be stored as a price of 0.
    ({**TOKEN, "input_price": "0.00000000001"}, "input_price", 10),
])
def test_a_number_finer_than_its_column_keeps_is_refused_naming_the_places(row, field, places):
    messages = _errors(row)[field]
    assert any(f"{places} 位小数" in m and f"{places} decimal places" in m for m in messages), messages


@pytest.mark.parametrize(("row", "field"), [
    # Integer columns are int4 on PostgreSQL: 2^31 passed (the limit was 10^12) and the INSERT failed.
    ({**GPU, "stock": "2147483648"}, "stock"),
    ({**TOKEN, "context_window": "2147483648"}, "context_window"),
])
def test_a_whole_number_past_its_column_is_refused_naming_the_limit(row, field):
    messages = _errors(row)[field]
    assert any("2147483647" in m for m in messages), messages
    assert load_offer(CONTEXT, {**row, field: "2147483647"})[field] == 2147483647


def test_numbers_at_their_columns_places_still_load():
    offer = load_offer(CONTEXT, {**CPU, "vcpus": "0.25", "ram_gb": "0.5"})
    assert (offer["vcpus"], offer["ram_gb"]) == (Decimal("0.25"), Decimal("0.5"))
    assert load_offer(CONTEXT, {**GPU, "gpu_model": "a100-80gb", "gpu_count": "0.125"})["gpu_count"] == Decimal("0.125")


@pytest.mark.parametrize("field", ["sku", "title", "description", "region", "gpu_model"])
def test_a_nul_byte_in_vendor_text_is_refused_naming_the_column(field):
    # PostgreSQL refuses NUL in text: the sheet's preview job failed with the raw DataError.
    messages = _errors({**GPU, field: "A100\x00x"})[field]
    assert any("U+0000" in m for m in messages), messages


@pytest.mark.parametrize(("text", "code"), [
    ("safe\u202egnp.exe", "U+202E"),  # shown as "safeexe.png"
    ("H100\u200b", "U+200B"),
    ("a\u2066b", "U+2066"),
    ("\ufeffA100", "U+FEFF"),
    ("x\x1by", "U+001B"),
    ("line\nbreak", "U+000A"),
])
def test_invisible_and_direction_characters_in_a_title_are_refused_naming_them(text, code):
    messages = _errors({**GPU, "title": text})["title"]
    assert any(code in m for m in messages), messages


def test_a_description_keeps_its_line_breaks_and_tabs():
    offer = load_offer(CONTEXT, {**GPU, "description": "第一行\n第二行\tok"})
    assert offer["description"] == "第一行\n第二行\tok"


def test_a_sku_differing_only_by_a_zero_width_space_is_refused_not_a_second_offer():
    assert "sku" in _errors({**GPU, "sku": "a\u200b"})


def test_a_sheet_with_an_int4_overflow_reports_its_row_and_column(context):
    """End to end: on PostgreSQL this was a DataError out of the preview job."""
    import io

    from extensions import db
    from offers.sheet_import import import_sheet

    header = ",".join(GPU) + ",stock"
    body = "\n".join([header, ",".join(GPU.values()) + ",5", ",".join({**GPU, "sku": "b"}.values()) + ",2147483648"])
    report = import_sheet(db.session, io.BytesIO(body.encode()), "v", context, filename="s.csv", dry_run=True,
                          mode="good_rows", collect_changes=True)
    assert [(e.row, e.column) for e in report.errors] == [(3, "stock")]
    assert "2147483647" in report.errors[0].message
