"""Search box questions read as filters, either-of groups and planner jobs (catalog.question),
and what the buyer then sees: the right offers, a relaxation line instead of an empty page,
a planner link, and the same reading in the JSON API."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.offer_query import QUERY_SCHEMA, OfferQuerySchema, search_offers, sql_search
from catalog.question import understand
from catalog.registry import default_registries
from catalog.search_text import TextBuilder
from extensions import db


@pytest.fixture(scope="module")
def builder():
    return TextBuilder(default_registries())


# (question, what it must be read as). Keys: words (exactly), either (exactly), filters (these
# items, among others), no_filters (keys that must be absent), planner (exactly; {} = not a job).
QUESTIONS = [
    ("我需要 8 张 H100 跑 72 小时，华东地区，最便宜的是哪家？",
     dict(words=("h100",), either=(), filters={"region": "华东", "sort": "unit_price"}, no_filters=("min_gpu_count",),
          planner={"kind": "gpu", "count": "8", "hours": "72", "regions": "华东", "gpu_model": "h100-sxm"})),
    ("杭州的 4090 多少钱一卡时", dict(words=("4090",), filters={"region": "cn-hangzhou"}, planner={})),
    ("DeepSeek Qwen", dict(words=(), either=(("deepseek", "qwen"),), planner={})),
    ("deepseek 和 qwen", dict(words=(), either=(("deepseek", "qwen"),))),
    ("deepseek or qwen", dict(words=(), either=(("deepseek", "qwen"),))),
    ("qwen、glm、kimi", dict(words=(), either=(("qwen", "glm", "kimi"),))),
    ("h100 vs a100", dict(words=(), either=(("h100", "a100"),))),
    ("H100 还是 A800 便宜", dict(words=(), either=(("h100", "a800"),), filters={"sort": "unit_price"})),
    ("deepseek-v3 和 qwen-max", dict(words=(), either=(("deepseek-v3", "qwen-max"),))),
    ("ascend 910b", dict(words=("ascend", "910b"), either=())),  # the 910B is an Ascend: both must match
    ("nvidia h100", dict(words=("nvidia", "h100"), either=())),
    ("8 cards H100 for 72 hours",
     dict(words=("h100",), planner={"kind": "gpu", "count": "8", "hours": "72", "gpu_model": "h100-sxm"})),
    ("8x A100 80G 3 天", dict(words=("a100",), filters={"min_gpu_memory_gb": D(80)},
                              planner={"kind": "gpu", "count": "8", "hours": "72", "gpu_model": "a100-80gb",
                                       "min_memory_gb": "80"})),
    ("4 卡 4090 跑 2 周", dict(words=("4090",), planner={"kind": "gpu", "count": "4", "hours": "336",
                                                           "gpu_model": "rtx-4090"})),
    ("l40s 48h", dict(words=("l40s",), planner={"kind": "gpu", "count": "1", "hours": "48", "gpu_model": "l40s"})),
    ("华北 8卡", dict(words=(), filters={"region": "华北", "min_gpu_count": D(8)}, planner={})),
    ("8 gpus h100 beijing", dict(words=("h100",), filters={"min_gpu_count": D(8), "region": "beijing"})),
    ("请问A100 80G北京包月多少钱", dict(words=("a100", "包月"), filters={"min_gpu_memory_gb": D(80), "region": "北京"})),
    ("a100 80g 北京 包月", dict(words=("a100", "包月"), filters={"min_gpu_memory_gb": D(80), "region": "北京"})),
    ("what is the cheapest h100 in beijing under 20",
     dict(words=("h100",), filters={"max_unit_price": D(20), "sort": "unit_price", "region": "beijing"})),
    ("¥10 以下 的 4090", dict(words=("4090",), filters={"max_unit_price": D(10)})),
    ("4090 低于 2.5 元", dict(words=("4090",), filters={"max_unit_price": D("2.5")})),
    ("4090 3元以内", dict(words=("4090",), filters={"max_unit_price": D(3)})),
    ("h100 below 15", dict(words=("h100",), filters={"max_unit_price": D(15)})),
    # A number with a money unit is a price ceiling, never a card count.
    ("每卡时不超过 2 块钱的 4090", dict(words=("4090",), filters={"max_unit_price": D(2)},
                                       no_filters=("min_gpu_count",), planner={})),
    ("4090 2块钱以内", dict(words=("4090",), filters={"max_unit_price": D(2)}, no_filters=("min_gpu_count",))),
    ("under ¥3 per card-hour A100", dict(words=("a100",), filters={"max_unit_price": D(3)},
                                         no_filters=("min_gpu_count",))),
    ("4090 2块钱", dict(words=("4090",), filters={"max_unit_price": D(2)}, no_filters=("min_gpu_count",))),
    # "块" before a model counts cards, as people say it; before nothing or 以内 it is money.
    ("2块 4090", dict(words=("4090",), filters={"min_gpu_count": D(2)}, no_filters=("max_unit_price",))),
    ("8块4090", dict(words=("4090",), filters={"min_gpu_count": D(8)}, no_filters=("max_unit_price",))),
    ("4090 3块以内", dict(words=("4090",), filters={"max_unit_price": D(3)}, no_filters=("min_gpu_count",))),
    ("4090 5毛", dict(words=("4090",), filters={"max_unit_price": D("0.5")}, no_filters=("min_gpu_count",))),
    ("a100 2 yuan", dict(words=("a100",), filters={"max_unit_price": D(2)}, no_filters=("min_gpu_count",))),
    ("4090 RMB 2", dict(words=("4090",), filters={"max_unit_price": D(2)})),
    ("8 块显卡 4090", dict(words=("4090",), filters={"min_gpu_count": D(8)}, no_filters=("max_unit_price",))),
    ("4090 卡时", dict(words=("4090",), no_filters=("min_gpu_count",))),
    ("每月 5 亿 tokens deepseek 多少钱",
     dict(words=("deepseek",), filters={"kind": "token"},
          planner={"kind": "token", "input_tokens": "500000000", "models": "deepseek"})),
    ("qwen 500M tokens", dict(words=("qwen",), planner={"kind": "token", "input_tokens": "500000000",
                                                        "models": "qwen"})),
    ("2000万 tokens", dict(words=(), filters={"kind": "token"}, planner={"kind": "token", "input_tokens": "20000000"})),
    ("32核 跑 100 小时", dict(words=(), filters={"kind": "cpu"}, no_filters=("min_vcpus",),
                              planner={"kind": "cpu", "count": "32", "hours": "100"})),
    ("16 vcpu 上海", dict(words=(), filters={"min_vcpus": D(16), "region": "上海", "kind": "cpu"}, planner={})),
    ("北京 上海 4090", dict(words=("4090",), either=(("北京", "上海"),), no_filters=("region",))),
    ("最贵的 h100", dict(words=("h100",), filters={"sort": "-unit_price"})),
    ("性价比 4090", dict(words=("4090",), filters={"sort": "price_per_tflop_hour"})),
    ("RTX 4090 D 杭州", dict(words=("rtx", "4090d"), filters={"region": "cn-hangzhou"})),
    ("h10o", dict(words=("h10o",), either=(), planner={})),  # typos are the text engine's to correct
    ("l40s 竞价", dict(words=("l40s", "竞价"), either=())),
    ("which vendor has the cheapest 4090 in east china", dict(words=("4090",),
                                                               filters={"sort": "unit_price", "region": "east china"})),
]


@pytest.mark.parametrize(("question", "expected"), QUESTIONS, ids=[q for q, _ in QUESTIONS])
def test_a_question_is_read_as_filters_groups_and_a_job(builder, question, expected):
    read = understand(question, builder)
    if "words" in expected:
        assert read.words == expected["words"]
    if "either" in expected:
        assert read.either == expected["either"]
    for key, value in expected.get("filters", {}).items():
        assert read.filters.get(key) == value, (key, read.filters)
    for key in expected.get("no_filters", ()):
        assert key not in read.filters
    if "planner" in expected:
        assert read.planner == expected["planner"]


def test_the_table_holds_thirty_questions_in_both_languages():
    chinese = [q for q, _ in QUESTIONS if any("\u4e00" <= ch <= "\u9fff" for ch in q)]
    assert len(QUESTIONS) >= 30 and len(chinese) >= 10 and len(QUESTIONS) - len(chinese) >= 10


def test_what_was_read_is_kept_for_display(builder):
    read = understand("我需要 8 张 H100 跑 72 小时，华东地区，最便宜的是哪家？", builder)
    assert {(r.kind, r.typed) for r in read.read} == {
        ("cards", "8 张"), ("hours", "72 小时"), ("region", "华东地区"), ("sort", "便宜")}
    assert {"我", "需要", "哪家", "的", "是"} <= set(read.ignored)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789 .xhgk元以下小时张卡天亿ab和、vs¥华东杭州h100qwen")),
               max_size=40))
def test_whatever_is_typed_the_filters_read_pass_the_query_schema(builder, text):
    read = understand(text, builder)
    loaded = QUERY_SCHEMA.load({k: str(v) for k, v in read.filters.items()})
    assert set(loaded) >= set(read.filters)
    for key in {"count", "hours", "input_tokens", "min_memory_gb"} & set(read.planner):
        assert D(read.planner[key]) > 0


# -- against the seed catalog -------------------------------------------------------------------

def _search(q: str, **params):
    return search_offers(db.session, OfferQuerySchema().load({"q": q, **params}), default_registries())


def test_either_of_two_model_families_returns_offers_of_both(seeded):
    registries = default_registries()
    for q in ("deepseek 和 qwen", "DeepSeek Qwen"):
        page = _search(q, per_page="100")
        families = {registries.token_models.get(o.model).family for o in page.items if registries.token_models.get(o.model)}
        assert {"deepseek", "qwen"} <= families, q
        assert page.relaxed == ()
    both = _search("deepseek 和 qwen").total
    assert both == _search("deepseek").total + _search("qwen").total


def test_the_long_h100_question_finds_h100_in_east_china_cheapest_first(seeded):
    registries = default_registries()
    page = _search("我需要 8 张 H100 跑 72 小时，华东地区，最便宜的是哪家？")
    assert page.total > 0 and page.relaxed == ()
    east = {r.id for r in registries.regions.in_area("华东")}
    assert all(o.gpu_model.startswith("h100") and o.region in east for o in page.items)
    prices = [o.unit_price for o in page.items]
    assert prices == sorted(prices)
    assert page.total == _search("h100", region="华东").total


def test_the_fast_path_and_sql_agree_on_questions(seeded):
    registries = default_registries()
    for q in ("我需要 8 张 H100 跑 72 小时，华东地区，最便宜的是哪家？", "deepseek 和 qwen", "北京 上海 4090",
              "what is the cheapest h100 in beijing under 20", "l40s 竞价 北京", "4090 zzz"):
        params = OfferQuerySchema().load({"q": q})
        fast, slow = search_offers(db.session, params, registries), sql_search(db.session, params, registries)
        assert (fast.total, [o.id for o in fast.items], fast.facets, fast.relaxed) == (
            slow.total, [o.id for o in slow.items], slow.facets, slow.relaxed), q


def test_nothing_matching_every_word_drops_one_and_says_which(seeded):
    page = _search("what is the cheapest h100 in guangzhou under 20")
    assert page.relaxed == ("guangzhou",)
    assert page.total == _search("h100", max_unit_price="20").total > 0
    # The facets describe the relaxed answer, not an empty one.
    assert sum(page.facets["kind"].values()) == page.total
    assert page.facets["gpu_model"]


def test_a_word_nothing_holds_is_the_one_left_out(seeded):
    page = _search("4090 zzz")
    assert page.relaxed == ("zzz",)
    assert page.total == _search("4090").total


def test_relaxation_keeps_the_gpu_and_drops_the_place(seeded):
    page = _search("l40s 竞价 北京")
    assert page.relaxed == ("北京",)
    assert page.items and all(o.gpu_model == "l40s" and o.billing == "spot" for o in page.items)


def test_a_lone_unknown_word_is_not_relaxed_into_everything(seeded):
    page = _search("zzzz")
    assert page.total == 0 and page.relaxed == ()


def test_similar_gpu_models_are_offered_when_nothing_matches(seeded):
    page = _search("h300")
    assert page.total == 0
    assert page.similar_gpus


def test_the_page_shows_the_relaxation_line_and_its_facets(client, seeded):
    html = client.get("/offers", query_string={"q": "l40s 竞价 北京"}).get_data(as_text=True)
    assert "没有同时匹配「l40s 竞价 北京」的报价，已放宽：忽略「北京」" in html
    assert 'class="facet"' in html
    english = client.get("/offers", query_string={"q": "l40s 竞价 北京", "lang": "en"}).get_data(as_text=True)
    assert "No offer matches all of “l40s 竞价 北京”; relaxed: ignoring “北京”" in english


def test_a_job_question_links_to_the_planner_with_its_values(client, seeded):
    html = client.get("/offers", query_string={"q": "8 张 H100 跑 72 小时 华东"}).get_data(as_text=True)
    assert "在计划器中打开" in html
    assert "/plan?kind=gpu&amp;count=8&amp;hours=72&amp;regions=%E5%8D%8E%E4%B8%9C&amp;gpu_model=h100-sxm" in html
    plan = client.get("/plan?kind=gpu&count=8&hours=72&regions=%E5%8D%8E%E4%B8%9C&gpu_model=h100-sxm")
    assert plan.status_code == 200
    assert "H100" in plan.get_data(as_text=True)
    plain = client.get("/offers", query_string={"q": "h100 华东"}).get_data(as_text=True)
    assert "在计划器中打开" not in plain


def test_two_yuan_in_the_question_is_shown_as_a_price_ceiling_not_two_cards(client, seeded):
    html = client.get("/offers", query_string={"q": "4090 2块钱"}).get_data(as_text=True)
    assert "单价不超过 ¥2" in html and "2 张卡" not in html
    page = _search("4090 2块钱")
    assert page.total > 0 and page.relaxed == ()
    assert all(o.unit_price <= 2 and o.gpu_model.startswith("rtx-4090") for o in page.items)
    assert page.total == _search("4090", max_unit_price="2").total


def test_an_empty_answer_still_offers_a_next_step(client, seeded):
    html = client.get("/offers", query_string={"q": "h300", "lang": "en"}).get_data(as_text=True)
    assert "Similar GPU models:" in html
    assert "Plan a job" in html


def test_the_api_reports_how_q_was_read_and_what_was_relaxed(client, seeded):
    body = client.get("/api/v1/offers", query_string={"q": "8 cards H100 for 72 hours in guangzhou under 20"}).json
    understood = body["understood"]
    assert understood["filters"]["max_unit_price"] == "20"
    assert understood["planner"] == {"kind": "gpu", "count": "8", "hours": "72", "regions": "cn-guangzhou",
                                     "gpu_model": "h100-sxm"}
    assert understood["planner_url"].startswith("/plan?kind=gpu")
    assert body["relaxed"] == {"ignored": ["guangzhou"]}
    assert body["total"] > 0 and all(i["gpu_model"].startswith("h100") for i in body["items"])
    either = client.get("/api/v1/offers", query_string={"q": "deepseek 和 qwen"}).json
    assert either["understood"]["either"] == [["deepseek", "qwen"]] and "relaxed" not in either
    assert "understood" not in client.get("/api/v1/offers", query_string={"kind": "gpu"}).json


def test_a_filter_in_the_url_wins_over_the_one_in_the_question(seeded):
    page = _search("h100 杭州", region="cn-beijing")
    # 杭州 still has to match as a word, so nothing matches all; the URL's region stays.
    assert all(o.region == "cn-beijing" for o in page.items)


def test_a_filter_the_url_already_has_is_not_searched_again_as_words(seeded):
    # The browse form sends its chosen kind and region with the text: the same values must not be
    # looked for again as words (which no title holds, so the search would come back relaxed).
    page = _search("每月 5 亿 tokens deepseek", kind="token")
    assert page.total > 0 and page.relaxed == ()
    same = _search("h100 华东", region="华东")
    assert same.relaxed == () and same.total == _search("h100", region="华东").total
