"""The LiteLLM and genai-prices connectors: rows from the real files, skips with reasons, the CLI import.

Spot values are copied from the files (../shared/data/real) and written out in USD per 1M
tokens: LiteLLM lists USD per token (2.5e-06 = 2.5 per 1M), genai-prices USD per 1M.
"""

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from catalog.context import SEED_FX
from catalog.models import ImportRun, Offer, PriceHistory, Vendor
from catalog.registry import default_registries
from extensions import db
from offers.genai_prices import genai_rows
from offers.litellm_prices import litellm_rows
from offers.price_feed import FeedRow, FeedSkip
from pricing.currency import FxTable
from tests.conftest import real_file

AS_OF = date(2026, 12, 1)
LITELLM = "litellm_model_prices_chat.json"
GENAI = "genai_prices_data.json"


def _litellm() -> dict:
    return json.loads(real_file(LITELLM).read_text(encoding="utf-8"))


def _genai() -> list:
    return json.loads(real_file(GENAI).read_text(encoding="utf-8"))


def _rows(items) -> dict[str, FeedRow]:
    return {item.entry: item for item in items if isinstance(item, FeedRow)}


def _litellm_rows() -> dict[str, FeedRow]:
    return _rows(litellm_rows(_litellm(), default_registries(), AS_OF, "litellm 1.110.2"))


def _genai_rows() -> dict[str, FeedRow]:
    return _rows(genai_rows(_genai(), default_registries(), AS_OF))


def _cells(row: FeedRow) -> dict:
    return {k: v for k, v in row.cells.items() if k != "description"}


# --- LiteLLM, row level ---------------------------------------------------------------------------

def test_litellm_long_context_cache_and_batch_keys_become_the_4_1_columns():
    # gemini/gemini-2.5-pro: input 1.25e-06, output 1e-05, cache read 1.25e-07,
    # *_above_200k_tokens 2.5e-06 / 1.5e-05, *_batches 6.25e-07 / 5e-06 (half of each).
    row = _litellm_rows()["gemini/gemini-2.5-pro"]
    assert row.vendor.slug == "google-gemini"
    assert _cells(row) == {
        "sku": "litellm:gemini-2.5-pro", "kind": "token", "model": "gemini-2.5-pro", "input_price": "1.25",
        "output_price": "10", "currency": "USD", "price_unit": "1m_tokens", "context_window": "1048576",
        "cached_input_price": "0.125", "long_context_threshold": "200000", "long_input_price": "2.5",
        "long_output_price": "15", "batch_rate": "0.5"}


def test_litellm_cache_write_price_and_chinese_providers():
    rows = _litellm_rows()
    # claude-sonnet-4-5: cache_creation_input_token_cost 3.75e-06, cache read 3e-07, batches 1.5e-06 / 7.5e-06.
    sonnet = _cells(rows["claude-sonnet-4-5"])
    assert (sonnet["input_price"], sonnet["output_price"], sonnet["cached_input_price"],
            sonnet["cache_write_price"], sonnet["batch_rate"]) == ("3", "15", "0.3", "3.75", "0.5")
    # dashscope/qwen-max: 1.6e-06 / 6.4e-06, no cache price: the column is absent, never 0.
    qwen = rows["dashscope/qwen-max"]
    assert (qwen.vendor.slug, qwen.cells["input_price"], qwen.cells["output_price"]) == ("bailian", "1.6", "6.4")
    assert "cached_input_price" not in qwen.cells and "batch_rate" not in qwen.cells
    # zai/glm-4.6: 6e-07 / 2.2e-06, cache read 1.1e-07; cache_creation 0 means none, so no cache_write_price.
    glm = rows["zai/glm-4.6"]
    assert glm.vendor.slug == "zhipu"
    assert (glm.cells["input_price"], glm.cells["cached_input_price"]) == ("0.6", "0.11")
    assert "cache_write_price" not in glm.cells
    assert rows["moonshot/kimi-k2.5"].vendor.slug == "moonshot"


def test_litellm_rows_say_their_source_and_date():
    row = _litellm_rows()["dashscope/qwen-max"]
    assert "LiteLLM model price map (litellm 1.110.2)" in row.cells["description"]
    assert "'dashscope/qwen-max'" in row.cells["description"] and "2026-12-01" in row.cells["description"]


def test_litellm_counts_per_reason_on_the_real_file():
    items = list(litellm_rows(_litellm(), default_registries(), AS_OF, "litellm 1.110.2"))
    rows = [i for i in items if isinstance(i, FeedRow)]
    skips = [i for i in items if isinstance(i, FeedSkip)]
    assert len(items) == 3472  # every key, sample_spec included, accounted for once
    assert len({i.number for i in items}) == 3472
    assert len(rows) == 388
    reasons = {}
    for skip in skips:
        reasons[skip.reason] = reasons.get(skip.reason, 0) + 1
    assert reasons == {"model not in the token registry": 2922,
                       "this vendor already has this model from another entry": 134,
                       "no per-token input and output price": 27, "documentation entry, not a model": 1}
    assert len({(r.vendor.slug, r.cells["sku"]) for r in rows}) == len(rows)


def test_litellm_prefers_the_entry_named_for_the_model():
    rows = _litellm_rows()
    # deepseek-chat and deepseek/deepseek-chat are aliases of DeepSeek-V3.2; the entry named for it wins.
    kept = [r.entry for r in rows.values() if r.vendor.slug == "deepseek" and r.cells["model"] == "deepseek-v3.2"]
    assert kept == ["deepseek/deepseek-v3.2"]


@pytest.mark.parametrize(("entry", "reason"), [
    ({"mode": "chat", "litellm_provider": "openai", "input_cost_per_second": 0.001}, "no per-token input and output price"),
    ({"mode": "chat", "litellm_provider": "openai", "input_cost_per_token": 0, "output_cost_per_token": 1e-6},
     "no per-token input and output price"),
    ({"mode": "embedding", "litellm_provider": "openai", "input_cost_per_token": 1e-6}, "not a chat model"),
    ({"mode": "chat", "input_cost_per_token": 1e-6, "output_cost_per_token": 1e-6}, "no provider named"),
])
def test_litellm_unusable_entries_are_skipped_with_their_reason(entry, reason):
    items = list(litellm_rows({"gpt-4o": entry}, default_registries(), AS_OF, "test"))
    assert [(i.entry, i.reason) for i in items] == [("gpt-4o", reason)]


def test_litellm_batch_rate_only_when_input_and_output_agree():
    entry = {"mode": "chat", "litellm_provider": "openai", "input_cost_per_token": 2e-06,
             "output_cost_per_token": 8e-06, "input_cost_per_token_batches": 1e-06,
             "output_cost_per_token_batches": 6e-06}
    (row,) = list(litellm_rows({"gpt-4.1": entry}, default_registries(), AS_OF, "test"))
    assert "batch_rate" not in row.cells  # 0.5 on input, 0.75 on output: no one multiplier


# --- genai-prices, row level ----------------------------------------------------------------------

def test_genai_off_peak_hours_come_out_in_beijing_time():
    # deepseek-reasoner: the unconstrained set 0.135/0.035/0.55 is off-peak, the set constrained to
    # 00:30–16:30 UTC (0.55/0.14/2.19) is the normal price; off-peak is 16:30–00:30 UTC = 00:30–08:30 Beijing.
    row = _genai_rows()["deepseek/deepseek-reasoner"]
    assert row.vendor.slug == "deepseek"
    assert _cells(row) == {
        "sku": "genai-prices:deepseek-r1", "kind": "token", "model": "deepseek-r1", "input_price": "0.55",
        "output_price": "2.19", "currency": "USD", "price_unit": "1m_tokens", "context_window": "64000",
        "cached_input_price": "0.14", "off_peak_hours": "00:30-08:30", "off_peak_rate": "0.25"}


def test_genai_tier_objects_are_the_long_context_price():
    # anthropic claude-sonnet-4-5: input {"base": 3, "tiers": [{"start": 200000, "price": 6}]}, output 15 → 22.5.
    cells = _cells(_genai_rows()["anthropic/claude-sonnet-4-5"])
    assert (cells["input_price"], cells["output_price"], cells["cache_write_price"]) == ("3", "15", "3.75")
    assert (cells["long_context_threshold"], cells["long_input_price"], cells["long_output_price"]) == (
        "200000", "6", "22.5")


def test_genai_a_price_change_holds_from_its_start_date():
    data = [{"id": "openai", "name": "OpenAI", "models": [{"id": "o3", "prices": [
        {"prices": {"input_mtok": 10, "output_mtok": 40}},
        {"constraint": {"start_date": "2025-06-10"}, "prices": {"input_mtok": 2, "output_mtok": 8}}]}]}]
    before = list(genai_rows(data, default_registries(), date(2025, 6, 9)))[0]
    after = list(genai_rows(data, default_registries(), date(2025, 6, 10)))[0]
    assert (before.cells["input_price"], after.cells["input_price"]) == ("10", "2")


def test_genai_counts_per_reason_on_the_real_file():
    items = list(genai_rows(_genai(), default_registries(), AS_OF))
    rows = [i for i in items if isinstance(i, FeedRow)]
    assert len(items) == 1442 and len(rows) == 202
    reasons = {}
    for skip in (i for i in items if isinstance(i, FeedSkip)):
        reasons[skip.reason] = reasons.get(skip.reason, 0) + 1
    assert reasons == {"model not in the token registry": 1223,
                       "this vendor already has this model from another entry": 17}


# --- the import, end to end (v1 columns) ----------------------------------------------------------

def _import(runner, source: str, path, *extra) -> tuple[int, dict]:
    result = runner.invoke(args=["import-prices", source, str(path), "--as-of", "2026-12-01", *extra])
    return result.exit_code, json.loads(result.stdout.strip().splitlines()[-1])


def _usd() -> Decimal:
    return FxTable.load(SEED_FX).rate("USD")


def _offer(vendor: str, sku: str) -> Offer:
    offer = db.session.scalar(select(Offer).where(Offer.sku == sku, Offer.vendor.has(slug=vendor)))
    assert offer is not None, sku
    return offer


def test_import_litellm_real_file(runner):
    code, summary = _import(runner, "litellm", real_file(LITELLM), "--release", "litellm 1.110.2")
    assert code == 0, summary
    assert (summary["created"], summary["rejected"], summary["errors"]) == (388, 0, [])
    assert summary["skipped"] == 3084 == sum(summary["skipped_by_reason"].values()) == len(summary["skips"])
    assert summary["skipped_by_reason"]["model not in the token registry"] == 2922
    qwen = _offer("bailian", "litellm:qwen-max")
    assert (qwen.list_currency, qwen.list_input_amount, qwen.list_output_amount) == (
        "USD", Decimal("1.6"), Decimal("6.4"))
    assert qwen.input_price == (Decimal("1.6") * _usd()).quantize(Decimal("0.000001"))
    assert qwen.model == "qwen-max" and "as of 2026-12-01" in qwen.description
    gemini = _offer("google-gemini", "litellm:gemini-2.5-pro")
    assert gemini.cached_input_price == (Decimal("0.125") * _usd()).quantize(Decimal("0.000001"))
    # A provider the catalog did not know becomes a vendor of its own.
    assert db.session.scalar(select(Vendor).where(Vendor.slug == "fireworks-ai")) is not None
    assert db.session.scalar(select(func.count()).select_from(ImportRun)) == summary["vendors"]

    code, again = _import(runner, "litellm", real_file(LITELLM), "--release", "litellm 1.110.2")
    assert code == 0 and (again["created"], again["updated"], again["unchanged"]) == (0, 0, 388)


def test_import_genai_real_file(runner):
    code, summary = _import(runner, "genai-prices", real_file(GENAI))
    assert code == 0, summary
    assert (summary["created"], summary["rejected"], summary["skipped"]) == (202, 0, 1240)
    r1 = _offer("deepseek", "genai-prices:deepseek-r1")
    assert (r1.list_input_amount, r1.list_output_amount, r1.list_cached_input_amount) == (
        Decimal("0.55"), Decimal("2.19"), Decimal("0.14"))


def test_a_rerun_with_changed_prices_appends_price_history(runner, tmp_path):
    data = _litellm()
    extract = {key: data[key] for key in ("sample_spec", "dashscope/qwen-max", "zai/glm-4.6")}
    path = tmp_path / "extract.json"
    path.write_text(json.dumps(extract), encoding="utf-8")
    code, first = _import(runner, "litellm", path)
    assert code == 0 and first["created"] == 2
    extract["dashscope/qwen-max"] = {**extract["dashscope/qwen-max"], "input_cost_per_token": 1.2e-06}
    path.write_text(json.dumps(extract), encoding="utf-8")
    code, second = _import(runner, "litellm", path)
    assert code == 0 and (second["created"], second["updated"], second["unchanged"]) == (0, 1, 1)
    qwen = _offer("bailian", "litellm:qwen-max")
    history = db.session.scalars(select(PriceHistory).where(PriceHistory.offer_id == qwen.id)
                                 .order_by(PriceHistory.id)).all()
    assert [h.input_price for h in history] == [(Decimal(p) * _usd()).quantize(Decimal("0.000001"))
                                                for p in ("1.6", "1.2")]


def test_a_dry_run_writes_nothing(runner, tmp_path):
    path = tmp_path / "extract.json"
    path.write_text(json.dumps({"dashscope/qwen-max": _litellm()["dashscope/qwen-max"]}), encoding="utf-8")
    code, summary = _import(runner, "litellm", path, "--dry-run")
    assert code == 0 and summary["dry_run"] is True and summary["created"] == 1
    assert db.session.scalar(select(func.count()).select_from(Offer)) == 0


@pytest.mark.parametrize(("source", "text"), [("litellm", "[1, 2]"), ("genai-prices", "{}"), ("litellm", "{oops")])
def test_a_file_that_is_not_the_feed_is_refused_whole(runner, tmp_path, source, text):
    path = tmp_path / "feed.json"
    path.write_text(text, encoding="utf-8")
    code, summary = _import(runner, source, path)
    assert code == 1 and summary["landed"] is False and "feed.json" in summary["error"]
    assert db.session.scalar(select(func.count()).select_from(Offer)) == 0
