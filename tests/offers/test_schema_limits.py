"""Bugs the fuzzers found in offers/schema.py: values that crashed or could not be stored are refused."""

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
