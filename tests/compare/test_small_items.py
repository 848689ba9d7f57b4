"""Words a Chinese reader sees on the compare and market pages."""

import re


def test_token_comparison_says_the_kind_in_words_and_has_no_gpu_footnote(client, catalog):
    html = client.get(f"/compare?ids={catalog['ds'].id},{catalog['big_model'].id}").get_data(as_text=True)
    kind_row = re.search(r'data-row="kind">(.*?)</tr>', html, re.S).group(1)
    assert "大模型 API" in kind_row and "TOKEN" not in kind_row.upper().replace("TOKENS", "")
    assert "GPU 型号库" not in html  # the PFLOPS footnote is about GPUs only
    gpus = client.get(f"/compare?ids={catalog['h100_card'].id},{catalog['a100_40'].id}").get_data(as_text=True)
    assert "GPU 型号库" in gpus


def test_token_market_heading_says_what_it_lists(client, catalog):
    html = client.get("/market/token/deepseek-v3.2").get_data(as_text=True)
    assert "<h2>报价数</h2>" not in html and "各家报价</h2>" in html
    index = client.get("/market").get_data(as_text=True)
    assert "报价（个）" in index and ">报价数<" not in index
