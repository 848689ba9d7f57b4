"""The one gate: what a good row becomes, and every kind of bad row with the column at fault."""

from decimal import Decimal

import pytest
from marshmallow import ValidationError

from offers.schema import OfferSchema, load_offer

GPU = {"sku": "g1", "kind": "gpu", "region": "杭州", "billing": "包月", "gpu_model": "英伟达 H100 SXM",
       "gpu_count": "8", "price": "100000", "currency": "CNY", "price_unit": "month"}
CPU = {"sku": "c1", "kind": "cpu", "region": "cn-beijing", "billing": "on_demand", "vcpus": "4", "ram_gb": "16",
       "price": "0.28", "currency": "人民币", "price_unit": "元/小时"}
TOKEN = {"sku": "t1", "kind": "token", "model": "deepseek-chat", "input_price": "2", "output_price": "8",
         "currency": "CNY", "price_unit": "元/百万tokens"}


@pytest.fixture()
def schema(context):
    return OfferSchema(context)


def test_a_gpu_row_normalizes_to_card_hours(schema, context):
    offer = schema.load(GPU)
    assert offer["gpu_model"] == "h100-sxm" and offer["region"] == "cn-hangzhou" and offer["billing"] == "monthly"
    assert offer["unit_price"] == Decimal("17.123288")  # 100000 / 730 / 8
    assert offer["list_amount"] == Decimal("100000") and offer["list_unit"] == "month"
    assert offer["gpu_memory_gb"] == Decimal(80)  # from the registry when the row omits it
    assert offer["price_per_tflop_hour"] == Decimal("0.017314")  # 17.123288 / 989
    # With no title the offer is named for what it is.
    assert offer["title"] == f"8× {context.registries.gpus.get('h100-sxm').name}"


def test_a_cpu_row_normalizes_to_core_hours(schema):
    offer = schema.load(CPU)
    assert offer["unit_price"] == Decimal("0.070000") and offer["cpu_arch"] == "x86_64"


def test_a_token_row_normalizes_to_one_million_tokens(schema):
    offer = schema.load(TOKEN)
    assert (offer["input_price"], offer["output_price"]) == (Decimal("2.000000"), Decimal("8.000000"))
    assert offer["unit_price"] == Decimal("3.500000")
    assert offer["billing"] == "on_demand" and offer["region"] is None


def test_a_single_token_price_is_both_input_and_output(schema):
    offer = schema.load({**TOKEN, "input_price": "", "output_price": "", "price": "0.004", "price_unit": "1k_tokens"})
    assert offer["input_price"] == offer["output_price"] == Decimal("4.000000")


def test_currency_can_come_from_the_unit_word(schema):
    offer = schema.load({**GPU, "currency": "", "price_unit": "元/卡时", "price": "1.90"})
    assert offer["list_currency"] == "CNY" and offer["unit_price"] == Decimal("1.900000")


def test_the_title_may_begin_with_equals_and_is_kept_as_text(schema):
    assert schema.load({**GPU, "title": "=HYPERLINK(\"x\")"})["title"] == "=HYPERLINK(\"x\")"


BAD_ROWS = [
    ("bad number", {**GPU, "price": "十万"}, "price", "不是有效数字"),
    ("negative price", {**GPU, "price": "-5"}, "price", "大于 0"),
    ("zero price", {**GPU, "price": "0"}, "price", "大于 0"),
    ("zero count", {**GPU, "gpu_count": "0"}, "gpu_count", "大于 0"),
    ("negative stock", {**GPU, "stock": "-1"}, "stock", "不能小于 0"),
    ("fractional stock", {**GPU, "stock": "1.5"}, "stock", "整数"),
    ("unknown gpu", {**GPU, "gpu_model": "A1000"}, "gpu_model", "未知的 GPU 型号"),
    ("ambiguous gpu", {**GPU, "gpu_model": "A100"}, "gpu_model", "不明确"),
    ("memory mismatch", {**GPU, "gpu_model": "A100 80G", "gpu_memory_gb": "40"}, "gpu_memory_gb", "不符"),
    ("unknown currency", {**GPU, "currency": "比特币"}, "currency", "未知的币种"),
    ("currency contradiction", {**GPU, "currency": "USD", "price_unit": "元/月"}, "currency", "不一致"),
    ("unknown unit", {**GPU, "price_unit": "fortnight"}, "price_unit", "未知的计费单位"),
    ("token unit on gpu", {**GPU, "price_unit": "1m_tokens"}, "price_unit", "不适用"),
    ("core_hour on gpu", {**GPU, "price_unit": "core_hour"}, "price_unit", "卡时"),
    ("card_hour on cpu", {**CPU, "price_unit": "card_hour"}, "price_unit", "核时"),
    ("hour on token", {**TOKEN, "price_unit": "hour"}, "price_unit", "不适用"),
    ("unknown kind", {**GPU, "kind": "fpga"}, "kind", "未知的类型"),
    ("unknown region", {**GPU, "region": "火星"}, "region", "未知的地域"),
    ("unknown billing", {**GPU, "billing": "按揭"}, "billing", "未知的计费方式"),
    ("missing sku", {**GPU, "sku": ""}, "sku", "缺少必填字段"),
    ("missing kind", {**GPU, "kind": " "}, "kind", "缺少必填字段"),
    ("missing region", {**GPU, "region": ""}, "region", "缺少必填字段"),
    ("missing price", {**GPU, "price": ""}, "price", "缺少必填字段"),
    ("missing gpu model", {**GPU, "gpu_model": ""}, "gpu_model", "缺少必填字段"),
    ("missing count on a node price", {**GPU, "gpu_count": ""}, "gpu_count", "卡数"),
    ("missing vcpus on an instance price", {**CPU, "vcpus": ""}, "vcpus", "vCPU"),
    ("missing currency", {**GPU, "currency": ""}, "currency", "缺少必填字段"),
    ("missing unit", {**GPU, "price_unit": ""}, "price_unit", "缺少必填字段"),
    ("missing token model", {**TOKEN, "model": ""}, "model", "缺少必填字段"),
    ("missing output price", {**TOKEN, "output_price": ""}, "output_price", "缺少价格"),
    ("token price on gpu", {**GPU, "input_price": "2"}, "input_price", "token"),
    ("gpu model on cpu", {**CPU, "gpu_model": "T4"}, "gpu_model", "GPU"),
    ("unknown arch", {**CPU, "cpu_arch": "mips"}, "cpu_arch", "未知的CPU 架构"),
]


@pytest.mark.parametrize(("why", "row", "column", "words"), BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_bad_rows_name_the_column_and_reason_in_both_languages(schema, why, row, column, words):
    with pytest.raises(ValidationError) as err:
        schema.load(row)
    messages = err.value.messages
    assert column in messages, (why, messages)
    text = " ".join(messages[column])
    assert words in text and " / " in text  # Chinese first, English beside


def test_a_field_that_failed_to_parse_is_not_also_called_missing(schema):
    with pytest.raises(ValidationError) as err:
        schema.load({**GPU, "price": "abc"})
    assert len(err.value.messages["price"]) == 1


def test_json_input_rejects_unknown_fields(schema):
    with pytest.raises(ValidationError) as err:
        schema.load({**GPU, "vendor_id": 7})
    assert "vendor_id" in err.value.messages


@pytest.mark.parametrize(("written", "arch"), [("x86_64", "x86_64"), ("X86-64", "x86_64"), ("amd64", "x86_64"),
                                               ("arm64", "arm64"), ("aarch64", "arm64")])
def test_cpu_arch_accepts_the_spec_words(context, written, arch):
    offer = load_offer(context, {"sku": "c1", "kind": "cpu", "region": "Beijing", "billing": "on_demand",
                                 "vcpus": "4", "price": "1", "currency": "CNY", "price_unit": "hour",
                                 "cpu_arch": written})
    assert offer["cpu_arch"] == arch
