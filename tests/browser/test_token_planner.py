"""In Chromium: put DeepSeek and Qwen side by side for 5亿 input and 1亿 output a month, in Chinese and English."""

import pytest

from extensions import db
from offers.cli import seed_catalog

pytestmark = pytest.mark.browser


@pytest.fixture()
def seeded(app):
    totals = seed_catalog(echo=lambda *_: None)
    db.session.remove()
    assert totals["rejected"] == 0
    return totals


def _money(text: str) -> float:
    return float(text.strip().lstrip("¥").replace(",", ""))


def test_several_models_side_by_side_in_both_languages(live_server, page, screenshot, seeded):
    page.goto(f"{live_server}/plan?kind=token")
    options = page.locator("#token-model-options option")
    everything = options.count()
    # The type-ahead asks the server: '千问' narrows the suggestions to the Qwen family.
    page.fill("#f-models-2", "千问")
    # Polled from Python: the page's CSP (no unsafe-eval) refuses Playwright's string predicates.
    for _ in range(100):
        if options.count() < everything:
            break
        page.wait_for_timeout(100)
    suggested = options.evaluate_all("opts => opts.map(o => o.value)")
    assert "qwen-max" in suggested and all(v.startswith(("qwen", "qwq")) for v in suggested)

    page.fill("#f-models-1", "deepseek-v3.2")
    page.fill("#f-input_tokens", "5亿")
    page.fill("#f-output_tokens", "1亿")
    page.fill("#f-batch_share", "0.2")
    page.click("button[type=submit]")

    summary = page.locator(".model-summary tbody tr")
    models = summary.evaluate_all("rows => rows.map(r => r.dataset.model)")
    assert models[0] == "deepseek-v3.2" and "qwen-max" in models and "qwen-plus" in models
    deepseek = page.locator(".model-summary tr[data-model='deepseek-v3.2']")
    assert _money(deepseek.locator("td.price").inner_text()) > 0
    assert page.locator(".model-summary thead").inner_text().count("最便宜") == 2
    formulas = page.locator(".plan-table .arith .formula").all_inner_texts()
    assert formulas and all("500M 输入 × ¥" in f and "/月" in f for f in formulas)
    assert page.locator("text=下载 CSV").count() == 1
    assert page.locator("#f-input_tokens").input_value() == "5亿"  # the form keeps the shorthand typed
    screenshot("token-planner-zh")

    page.click("text=English")
    assert page.locator("h1").inner_text() == "Cost planner"
    assert page.locator(".model-summary thead").inner_text().count("Cheapest") == 2
    formulas = page.locator(".plan-table .arith .formula").all_inner_texts()
    assert all("500M input × ¥" in f and "/month" in f for f in formulas)
    assert page.locator(".model-summary tr[data-model='qwen-max']").count() == 1
    screenshot("token-planner-en")
