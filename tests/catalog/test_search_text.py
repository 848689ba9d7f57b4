from catalog.registry import default_registries
from catalog.search_text import OfferText, TextBuilder, correct, parse_query, tokenize


def builder() -> TextBuilder:
    return TextBuilder(default_registries())


def test_chinese_is_segmented_and_english_stemmed():
    assert tokenize("北京包月", for_query=True) == ["北京", "包月"]
    assert "instance" in tokenize("instances")[0] or tokenize("instances") == tokenize("instance")


def test_model_names_keep_their_letters():
    # The Porter stemmer would make l40s into l40; an L40S query must not find the L40.
    assert tokenize("L40S") == ["l40s"]
    assert tokenize("RTX 4090 D") == ["rtx", "4090d"]
    assert tokenize("A100-80GB") == tokenize("a100 80g")


def test_offer_terms_name_its_registry_entries():
    offer = OfferText(1, "gpu", "昇腾910B ×8 整机", None, "x-1", "monthly", "cn-hangzhou", "ascend-910b", None,
                      None, "acme", "某云", "Acme")
    terms = builder().terms(offer)
    assert {"g:ascend-910b", "r:cn-hangzhou", "k:gpu", "b:monthly", "昇腾", "910b"} <= set(terms)


def test_query_words_expand_to_the_entries_they_name():
    b = builder()
    parsed = parse_query("华东 ascend", b, lambda term: False)
    east, ascend = parsed.groups
    assert {"r:cn-hangzhou", "r:cn-shanghai"} <= set(east)
    assert "r:cn-beijing" not in east
    assert "g:ascend-910b" in ascend


def test_typos_in_model_names_are_forgiven_when_unambiguous():
    vocab = builder().vocabulary
    assert correct("h10o", vocab) == "h100"
    assert correct("a1oo", vocab) == "a100"
    assert correct("deepsek", vocab) == "deepseek"
    assert correct("zz", vocab) is None


def test_price_words_are_not_matched():
    parsed = parse_query("deepseek 便宜", builder(), lambda term: False)
    assert parsed.words == ("deepseek",)
    assert parsed.wants_cheap
