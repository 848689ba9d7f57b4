"""Every page, in both languages, speaks only that language (outside what vendors typed) and shows no raw codes.

The check is a heuristic on the page's visible text (script/style and attribute values left out):
- an English page must hold no CJK character;
- a Chinese page must hold no run of three or more English words;
- neither may show a stored code (`on_demand`, `card_hour`, `cn-hangzhou`, ...).
Vendor-written text (offer titles and descriptions, the buyer's name) is removed first: it stays as
typed. Vendor *names* are not removed: every vendor has both, and the page language picks one.
"""

import io
import re
from datetime import timedelta
from decimal import Decimal as D
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from catalog.models import utcnow
from checkout.models import Order
from extensions import db
from offers.stall_models import ImportJob
from tests.catalog.factories import gpu_offer, token_offer
from tests.checkout.conftest import line
from tests.stall_support import finish_jobs, gbk_sheet, log_in, make_user, make_vendor_member, use_tmp_uploads

# Typed by vendors or people, shown as typed in both languages.
VENDOR_TEXT = ("H100 八卡 包月", "4090 单卡", "GPT-4o", "坏型号", "杭州", "按量", "RTX 9999")
# Product and unit names that are the same words in a Chinese page (short on purpose: each entry
# is a hole in the check). GPU and model names come from the registries, so they are not listed here.
ALLOWED_ENGLISH = ("Stripe", "SkyPilot", "OpenAPI", "Swagger UI")
RAW_CODES = re.compile(r"\b(on_demand|card_hour|core_hour|1m_tokens|1k_tokens|cn-[a-z]+|us-[a-z]+-?\d?|"
                       r"all_or_nothing|good_rows)\b")
# Codes that are also English words: raw only when a page element shows nothing else.
BARE_CODES = {"monthly", "yearly", "spot", "gpu", "cpu", "active", "delisted", "pending", "paid"}
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]")
ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z']+(?:[ ,][ ]?[A-Za-z][a-z']+){2,}\b")


class _Text(HTMLParser):
    """The visible text of a page, leaving out code, and elements marked as written in another
    language (`lang="zh-CN"` on an English page: the brand, the language switch) or as
    vendor-written (`data-vendor-text`)."""

    SKIP = {"script", "style", "svg", "code", "pre"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, lang: str):
        super().__init__()
        self.lang, self.parts, self._stack = lang, [], []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self._stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        other_language = attrs.get("lang") and not attrs["lang"].startswith(self.lang) and tag != "html"
        skip = tag in self.SKIP or "data-vendor-text" in attrs or bool(other_language)
        if not skip and not self._skipping():
            self.parts.extend(attrs[a] for a in ("title", "placeholder", "aria-label", "alt") if attrs.get(a))
        if tag not in self.VOID:
            self._stack.append((tag, skip))

    def handle_endtag(self, tag):
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def visible_text(html: str, lang: str, removed: tuple[str, ...]) -> str:
    parser = _Text(lang)
    parser.feed(html)
    text = "\n".join(parser.parts)
    for value in sorted(removed, key=len, reverse=True):
        text = text.replace(value, " ")
    return text


def problems(html: str, lang: str, removed: tuple[str, ...]) -> list[str]:
    text = visible_text(html, lang, removed)
    found = [f"raw code {m.group(0)!r} in {text[max(m.start() - 30, 0):m.end() + 20]!r}"
             for m in RAW_CODES.finditer(text)]
    found += [f"raw code {line.strip()!r}" for line in text.splitlines() if line.strip() in BARE_CODES]
    if lang == "en":
        found += [f"Chinese on an English page: {line.strip()!r}" for line in text.splitlines() if CJK.search(line)]
    else:
        found += [f"English on a Chinese page: {m.group(0)!r}" for m in ENGLISH_RUN.finditer(text)]
    return found


@pytest.fixture()
def site(app, client, tmp_path):
    """A seeded catalog, a vendor member with a stall and an upload preview, a buyer with an order."""
    from catalog.registry import default_registries

    previous = use_tmp_uploads(app, tmp_path)
    regs = default_registries()
    member, stall_vendor = make_vendor_member("seller@example.com", "acme")
    stall_vendor.name_zh, stall_vendor.name_en = "阿克米云", "Acme Cloud"
    month = gpu_offer("15.80", "h100-sxm", vendor_slug="beta", title="H100 八卡 包月", billing="monthly",
                      count="8", stock=3, updated=utcnow() - timedelta(days=2))
    month.list_amount, month.list_unit = D(92268), "month"
    month.vendor.name_zh, month.vendor.name_en = "贝塔算力", "Beta Compute"
    spot = gpu_offer("3.98", "rtx-4090", vendor_slug="acme", title="4090 单卡", billing="spot", stock=5)
    tok = token_offer()
    # Spec 4.1 facts, so the offer pages, the token table and the stall form show them.
    spot.off_peak_hours, spot.off_peak_rate, spot.available_hours = "00:30-08:30", D("0.5"), "22:00-08:00"
    spot.available_from, spot.available_to = utcnow(), utcnow() + timedelta(days=30)
    tok.off_peak_hours, tok.off_peak_rate, tok.batch_rate = "00:30-08:30", D("0.25"), D("0.5")
    tok.cache_write_price, tok.long_context_threshold, tok.long_input_price = D("22.5"), 200000, D("36")
    # The stall's order webhooks page with one delivery in each state.
    from checkout.models import VendorWebhook, WebhookDelivery
    db.session.add(VendorWebhook(vendor_id=stall_vendor.id, url="https://hooks.example.com/m", secret="whsec_x"))
    for status, attempts, answer in [("delivered", 1, 200), ("failed", 20, 500), ("pending", 2, None)]:
        db.session.add(WebhookDelivery(vendor_id=stall_vendor.id, event="order.paid", body="{}", status=status,
                                       attempts=attempts, last_status=answer, next_at=utcnow()))
    db.session.commit()
    from vouchers import seed_programs
    seed_programs(db.session)  # the programme pages and the offer page's price after a programme
    buyer = make_user("buyer@example.com")
    # The buyer's price alerts: one that has found a price (a notification to list), one still waiting.
    from tests.alerts.support import make_alert
    make_alert(buyer, model="rtx-4090", threshold="5", region="cn-hangzhou", billing="spot")
    make_alert(buyer, kind="token", model="gpt-4o", threshold="1")

    log_in(client, member)
    client.post("/stall/upload", data={"sheet": (io.BytesIO(gbk_sheet([
        "g1,显卡,4090 单卡,杭州,按量,RTX 4090,1,1.90,人民币,元/卡时,5",
        "g2,显卡,坏型号,杭州,按量,RTX 9999,1,2.00,人民币,元/卡时,5"])), "价格表.csv")},
        content_type="multipart/form-data")
    finish_jobs()
    upload_id = db.session.scalar(select(ImportJob.upload_id).order_by(ImportJob.id.desc()).limit(1))

    names = {g.name for g in regs.gpus.models.values()} | {m.name for m in regs.token_models.models.values()}
    yield {"offers": (month, spot, tok), "member": member, "buyer": buyer, "upload_id": upload_id,
           "removed": VENDOR_TEXT + ALLOWED_ENGLISH + tuple(names) + ("buyer", "seller", "buyer@example.com",
                                                                      "seller@example.com")}
    app.config["UPLOAD_DIR"] = previous


def parameterless_get_routes(app) -> list[str]:
    skip = ("/static", "/api/", "/healthz", "/readyz", "/metrics", "/logout", "/stall/template", "/sandbox",
            "/checkout/success", "/openapi", "/stripe-sandbox")
    return sorted({r.rule for r in app.url_map.iter_rules()
                   if "GET" in r.methods and not r.arguments and not r.rule.startswith(skip)
                   and not r.rule.endswith((".csv", ".json", ".xlsx", ".svg", ".txt"))})


def test_every_page_speaks_one_language_and_shows_no_raw_codes(app, client, site):
    month, spot, tok = site["offers"]
    ids = f"{month.id},{spot.id},{tok.id}"
    # The buyer's order: put a line in the cart and check out.
    buyer_pages = [f"/offers/{month.id}", f"/offers/{tok.id}", f"/compare?ids={ids}",
                   "/plan?kind=gpu&gpu_model=h100-sxm&count=8&hours=720",
                   "/plan?kind=token&model=gpt-4o&input_tokens=1000000&output_tokens=500000",
                   "/plan?kind=token&models=gpt-4o,deepseek&input_tokens=2M&output_tokens=1M&batch_share=0.5",
                   "/plan?kind=gpu&count=-1&hours=x", f"/cart/add/{spot.id}", "/cart", "/orders",
                   "/no-such-page", "/offers?min_unit_price=abc", "/market/gpu/h100-sxm", "/market/token/gpt-4o",
                   "/market/tokens/compare?sort=-off_peak_input&family=gpt", "/market/tokens/compare?filed=1",
                   "/offers?kind=token", f"/offers/{spot.id}",
                   "/vouchers/hz-2026", "/vouchers/bj-example", "/vouchers/hz-2026/offers",
                   "/vouchers/hz-2026/offers?kind=token", "/vouchers/sz-example/offers?kind=cpu", f"/offers/{month.id}?program=hz-2026",
                   f"/offers/{tok.id}?program=bj-example", f"/offers/{spot.id}?program=sz-example",
                   "/offers?duration_hours=72", "/offers?sort=-price_per_tflop_hour", "/offers?sort=effective_price",
                   "/offers?program=hz-2026", "/offers?program=hz-2026&kind=token",
                   "/plan?kind=gpu&gpu_model=h100-sxm&count=8&hours=720&program=hz-2026",
                   "/plan?kind=token&models=gpt-4o,deepseek&input_tokens=2M&output_tokens=1M&program=hz-2026",
                   "/account", "/alerts", "/alerts?kind=gpu&model=h100-sxm&region=cn-beijing&billing=monthly"]
    vendor_pages = ["/stall/", f"/stall/offers/{spot.id}/edit", "/stall/offers/new",
                    f"/stall/uploads/{site['upload_id']}/preview", "/stall/imports", "/stall/upload", "/stall/webhooks", "/account"]

    failures = {}
    for lang in ("zh", "en"):
        client.set_cookie("lang", lang)
        log_in(client, site["member"])
        for path in [*parameterless_get_routes(app), *vendor_pages]:
            response = client.get(path, follow_redirects=True)
            assert response.status_code < 500, path
            if found := problems(response.text, lang, site["removed"]):
                failures[f"{lang} {path}"] = found
        # The 413 page (a raw body: werkzeug's encoder would spool a file it never closes).
        body = b'--b\r\nContent-Disposition: form-data; name="sheet"; filename="a.csv"\r\n\r\n'
        response = client.post("/stall/upload", data=body + b"x" * app.config["MAX_CONTENT_LENGTH"],
                               content_type="multipart/form-data; boundary=b")
        assert response.status_code == 413
        if found := problems(response.text, lang, site["removed"]):
            failures[f"{lang} 413"] = found
        with client.session_transaction() as session:
            session.clear()
        log_in(client, site["buyer"])
        client.post("/cart/add", data=line(spot.id, 2))
        cart = client.get("/cart").get_data(as_text=True)  # checkout tokens are bound to the session shown them
        token = re.search(r'name="checkout_token" value="([^"]+)"', cart).group(1)
        placed = client.post("/checkout", data={"email": "buyer@example.com", "checkout_token": token})
        order = db.session.scalar(select(Order).order_by(Order.id.desc()).limit(1))
        assert order is not None, placed.text
        pages = [*buyer_pages, f"/orders/{order.token}"]
        for path in pages:
            response = client.get(path, follow_redirects=True)
            assert response.status_code == {"/no-such-page": 404, "/offers?min_unit_price=abc": 400,
                                            "/offers?sort=effective_price": 400}.get(path, 200), path
            if found := problems(response.text, lang, site["removed"]):
                failures[f"{lang} {path}"] = found
        # Paid, then delivering with access notes: the vendor's orders to deliver (with a refused
        # form), and the buyer's order page with the notes in full (zh) and masked (en, seen before).
        paid = _pay_and_start_delivery(order, site["member"], lang)
        for i, path in enumerate([f"/orders/{paid.token}", f"/orders/{paid.token}", "/orders"]):
            page = client.get(path).text
            assert ("ssh gpu@10.0.0.8" in page) == (i == 0), path  # the notes in full once, then masked
            if found := problems(page, lang, site["removed"]):
                failures[f"{lang} {path} (delivering, view {i + 1})"] = found
        with client.session_transaction() as session:
            session.clear()
        log_in(client, site["member"])
        refused = client.post(f"/stall/orders/{paid.lines[0].id}/deliver",
                              data={"state": "delivered", "start": "2026-12-01T08:00", "end": "2026-12-01T07:00"})
        assert refused.status_code == 400
        for path, response in [("/stall/orders", client.get("/stall/orders")), ("deliver (refused)", refused)]:
            if found := problems(response.text, lang, site["removed"]):
                failures[f"{lang} {path}"] = found
        with client.session_transaction() as session:
            session.clear()
    assert not failures, "\n".join(f"{page}: {found[:6]}" for page, found in failures.items())


def _pay_and_start_delivery(order: Order, member, lang: str) -> Order:
    """The order paid at the sandbox and its line marked delivering, with notes for the buyer."""
    from checkout.delivery import Step, record_step
    from checkout.fulfilment import fulfil
    from checkout.sandbox import store

    store.pay(order.stripe_session_id)
    db.session.commit()
    fulfil(db.session, store.get_session(order.stripe_session_id).data)
    order = db.session.get(Order, order.id)
    record_step(db.session, order.lines[0], Step(state="delivering", started_at=utcnow(), notes="ssh gpu@10.0.0.8"),
                by_user_id=member.id)
    return db.session.get(Order, order.id)


@pytest.mark.parametrize(("html", "lang", "expected"), [
    ("<p>按需计费</p>", "en", "Chinese on an English page"),
    ("<p>Add to cart now</p>", "zh", "English on a Chinese page"),
    ("<td>on_demand</td>", "zh", "raw code"),
    ("<td>cn-hangzhou</td>", "en", "raw code"),
])
def test_the_check_catches_what_it_is_for(html, lang, expected):
    assert any(p.startswith(expected) for p in problems(html, lang, ()))


def test_the_check_passes_vendor_text_marked_languages_and_data_attributes():
    page = ('<p data-x="on_demand">H100 八卡 包月 ¥3.98</p><script>var a = "中文 here ok"</script>'
            '<a lang="zh-CN">中文</a><p data-vendor-text>显卡<b>按量</b></p><p>ok</p>')
    assert problems(page, "en", ("H100 八卡 包月",)) == []
    assert problems(page.replace("<p>ok", "<p>好"), "en", ("H100 八卡 包月",)) != []


# Each plan shows its arithmetic, its assumptions and what it left out in the page language.
PLANS = {
    # 8 cards on the 8-card monthly H100 node for 720 h: 1 instance × 1 month
    "/plan?kind=gpu&gpu_model=h100-sxm&count=8&hours=720": {"zh": "1 台 × 1 月 × ¥92,268.00/台·月",
                                                          "en": "1 instance × 1 month × ¥92,268.00/instance-month"},
    # one card of any model: the monthly node rents whole (1 × 8-card instance), the spot 4090 is left out
    "/plan?kind=gpu&count=1&hours=10&min_memory_gb=1": {"zh": "竞价实例可能被中断，本次未允许竞价",
                                                       "en": "spot capacity can be interrupted; spot was not allowed"},
    "/plan?kind=token&model=gpt-4o&input_tokens=2000000&output_tokens=1000000&cache_hit_share=0.5": {
        "zh": "1M 输入 × ¥18.00 + 1M 缓存命中输入 × ¥18.00 + 1M 输出 × ¥72.00（单价 /百万 tokens）= ¥108.00/月",
        "en": "1M input × ¥18.00 + 1M cached input × ¥18.00 + 1M output × ¥72.00 (prices per 1M tokens) = ¥108.00/month"},
    # two models side by side, volumes in shorthand, a long-context share the offer has no price for
    "/plan?kind=token&models=gpt-4o,qwen&input_tokens=2M&output_tokens=1M&long_context_share=0.5": {
        "zh": "该模型未标长上下文价，长请求按普通价格计", "en": "no long-context price is listed: long requests are "
                                                   "charged at the normal prices"},
    "/plan?kind=token&daily_active_users=1&requests_per_user=1&input_tokens_per_request=1000"
    "&output_tokens_per_request=1&days_per_month=1": {"zh": "每月请求 = 1 日活 × 1 次/人/天 × 1 天",
                                                      "en": "requests per month = 1 daily user × 1 per user per day × 1 day"},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_planner_explains_itself_in_the_page_language(client, site, lang):
    client.set_cookie("lang", lang)
    failures = {}
    for path, expected in PLANS.items():
        response = client.get(path)
        assert response.status_code == 200, path
        text = visible_text(response.text, lang, site["removed"])
        assert expected[lang] in text, (path, text[text.find("#"):][:800])
        if found := problems(response.text, lang, site["removed"]):
            failures[path] = found
    assert not failures, "\n".join(f"{page}: {found[:6]}" for page, found in failures.items())
