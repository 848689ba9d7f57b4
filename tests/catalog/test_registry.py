"""Every common way of writing a GPU model, region or token model resolves to one id."""

from decimal import Decimal

import pytest

from catalog.registry import UnknownName, default_registries

REG = default_registries()


@pytest.mark.parametrize(("text", "ident"), [
    ("NVIDIA A100-SXM4-80GB", "a100-80gb"), ("a100-80gb", "a100-80gb"), ("A100 80G", "a100-80gb"),
    ("英伟达A100 80GB", "a100-80gb"), ("英伟达 A100 80GB", "a100-80gb"), ("A100 40GB", "a100-40gb"),
    ("A100-PCIE-40GB", "a100-40gb"), ("昇腾910B", "ascend-910b"), ("Ascend 910B", "ascend-910b"),
    ("华为昇腾910B", "ascend-910b"), ("H100 SXM", "h100-sxm"), ("H100 PCIe", "h100-pcie"), ("H100", "h100-sxm"),
    ("RTX 4090", "rtx-4090"), ("GeForce RTX 4090", "rtx-4090"), ("4090", "rtx-4090"), ("L40S", "l40s"),
    ("L40", "l40"), ("A10", "a10"), ("A10G", "a10g"), ("Tesla T4", "t4"), ("V100 32GB", "v100-32gb"),
    ("Tesla V100-SXM2-16GB", "v100-16gb"), ("MI300X", "mi300x"), ("AMD Instinct MI300X", "mi300x"),
    ("H20", "h20"), ("H200", "h200"), ("H800", "h800"), ("A800", "a800-80gb"), ("L20", "l20"), ("L4", "l4"),
    ("RTX 3090", "rtx-3090"), ("RTX A6000", "rtx-a6000"),
])
def test_gpu_spellings_resolve_to_one_model(text, ident):
    assert REG.gpus.resolve(text).id == ident


def test_a_bare_family_needs_the_memory_to_choose():
    with pytest.raises(UnknownName) as err:
        REG.gpus.resolve("A100")
    assert set(err.value.candidates) == {"a100-40gb", "a100-80gb"}
    assert "不明确" in err.value.message and "ambiguous" in err.value.message
    assert REG.gpus.resolve("A100", Decimal(80)).id == "a100-80gb"
    assert REG.gpus.resolve("V100", Decimal(32)).id == "v100-32gb"


def test_an_unknown_gpu_is_an_error_with_suggestions():
    with pytest.raises(UnknownName) as err:
        REG.gpus.resolve("A1000 80G")
    assert "未知的 GPU 型号" in err.value.message and "unknown GPU model" in err.value.message


def test_every_required_gpu_model_has_its_facts():
    required = ["h200", "h100-sxm", "h100-pcie", "h800", "h20", "a100-40gb", "a100-80gb", "a800-80gb", "l40s", "l40",
                "l20", "l4", "a10", "a10g", "t4", "v100-16gb", "v100-32gb", "rtx-4090", "rtx-3090", "rtx-a6000",
                "ascend-910b", "mi300x"]
    for ident in required:
        model = REG.gpus.get(ident)
        assert model is not None, ident
        assert model.memory_gb > 0 and model.bf16_tflops > 0 and model.vendor


@pytest.mark.parametrize(("text", "ident"), [
    ("cn-hangzhou", "cn-hangzhou"), ("华东1（杭州）", "cn-hangzhou"), ("杭州", "cn-hangzhou"),
    ("Hangzhou", "cn-hangzhou"), ("ap-guangzhou", "cn-guangzhou"), ("广州", "cn-guangzhou"),
    ("us-east-1", "us-east"), ("US East", "us-east"), ("北京", "cn-beijing"), ("华北2（北京）", "cn-beijing"),
    ("上海", "cn-shanghai"), ("深圳", "cn-shenzhen"), ("贵阳", "cn-guiyang"), ("乌兰察布", "cn-wulanchabu"),
    ("张家口", "cn-zhangjiakou"), ("庆阳", "cn-qingyang"), ("中卫", "cn-zhongwei"), ("成都", "cn-chengdu"),
    ("嘉兴", "cn-jiaxing"), ("Hong Kong", "cn-hongkong"), ("香港", "cn-hongkong"), ("Singapore", "sg-singapore"),
    ("Tokyo", "jp-tokyo"), ("Frankfurt", "de-frankfurt"), ("US West", "us-west"),
])
def test_region_spellings_resolve(text, ident):
    assert REG.regions.resolve(text).id == ident


def test_regions_know_their_province_and_area():
    hangzhou = REG.regions.resolve("杭州")
    assert (hangzhou.province_zh, hangzhou.province_en, hangzhou.country) == ("浙江", "Zhejiang", "CN")
    east = {r.id for r in REG.regions.in_area("华东")}
    assert {"cn-hangzhou", "cn-shanghai"} <= east and "cn-beijing" not in east
    assert "cn-hangzhou" in {r.id for r in REG.regions.in_area("Zhejiang")}


def test_unknown_region_is_an_error():
    with pytest.raises(UnknownName):
        REG.regions.resolve("火星一号")


@pytest.mark.parametrize(("text", "ident"), [
    ("qwen-max", "qwen-max"), ("dashscope/qwen-max", "qwen-max"), ("deepseek-reasoner", "deepseek-r1"),
    ("GPT-4o", "gpt-4o"), ("glm-4-plus", "glm-4-plus"),
])
def test_token_models_resolve(text, ident):
    assert REG.token_models.resolve(text).id == ident


def test_an_unknown_token_model_is_accepted_under_a_slug():
    model = REG.token_models.resolve("Acme Reasoner 7 (preview)")
    assert model.id == "acme-reasoner-7-preview" and not model.known


def test_every_family_of_token_models_is_present():
    families = {m.family for m in REG.token_models.models.values()}
    for family in ("deepseek", "qwen", "glm", "kimi", "doubao", "ernie", "gpt", "claude", "gemini", "llama"):
        assert any(family in f for f in families), family


@pytest.mark.parametrize(("ident", "filed"), [
    ("deepseek-v3", True), ("qwen-plus", True), ("glm-4.5", True), ("kimi-k2", True), ("doubao-seed-1.6", True),
    ("ernie-4.5", True), ("hunyuan-lite", True), ("minimax-m2", True),
    ("gpt-4o", False), ("claude-sonnet-4.5", False), ("gemini-2.5-pro", False), ("llama-3.3-70b-instruct", False),
])
def test_filed_model_is_true_for_models_filed_in_china_only(ident, filed):
    assert REG.token_models.get(ident).filed_model is filed


def test_a_model_outside_the_registry_is_not_taken_as_filed():
    assert REG.token_models.resolve("some-new-model-9000").filed_model is False


# Chinese accelerator vendors (seed_data/SOURCES.md): their models, and only theirs, are domestic chips.
DOMESTIC_VENDORS = {"Huawei", "Hygon", "Cambricon", "Kunlunxin", "Moore Threads", "Biren", "Iluvatar CoreX", "MetaX",
                    "Enflame"}


def test_domestic_chip_follows_the_models_vendor():
    for model in REG.gpus.models.values():
        assert model.domestic_chip is (model.vendor in DOMESTIC_VENDORS), model.id
    assert {m.id for m in REG.gpus.models.values() if m.domestic_chip} >= {
        "ascend-910b", "ascend-910c", "mlu370-x8", "hygon-k100-ai"}


@pytest.mark.parametrize(("text", "ident"), [
    ("寒武纪MLU370-X8", "mlu370-x8"), ("MLU370 X8", "mlu370-x8"), ("海光K100-AI", "hygon-k100-ai"),
    ("K100 AI", "hygon-k100-ai"), ("昇腾910B", "ascend-910b"),
])
def test_domestic_models_resolve(text, ident):
    model = REG.gpus.resolve(text)
    assert model.id == ident and model.domestic_chip and model.memory_gb > 0 and model.bf16_tflops > 0
