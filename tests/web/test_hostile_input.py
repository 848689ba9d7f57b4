"""Across every area: forms need a CSRF token, vendor-written text is escaped, exports are neutralized."""

import io
import re

import pytest

from catalog.models import Offer, Vendor
from extensions import db
from offers.sheet_import import import_sheet

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example","x")'


def _sample_path(rule) -> str:
    path = rule.rule
    for converter in re.findall(r"<[^>]+>", path):
        path = path.replace(converter, "1" if converter.startswith("<int:") else "x")
    return path


def test_every_form_post_needs_a_csrf_token(make_app):
    """Every POST outside the JSON API answers 400 without a token; the Stripe webhook alone is exempt."""
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    # The Stripe sandbox stands in for Stripe's own site (its API and hosted page): exempt, and
    # refused in production (tests/web/test_security.py).
    posts = [r for r in app.url_map.iter_rules() if "POST" in r.methods and not r.rule.startswith("/api/")
             and not r.endpoint.startswith("stripe_sandbox")]
    assert len(posts) >= 5  # log-in, sign-up, cart, checkout, uploads… (guards against an empty loop)
    unprotected = []
    for rule in posts:
        response = client.post(_sample_path(rule), data={"anything": "1"})
        body = response.get_data(as_text=True)
        if rule.rule == "/webhooks/stripe":
            assert response.status_code == 400 and "signature" in body  # guarded by its signature instead
        elif rule.rule.startswith("/compare/tray/"):
            # Guarded by the Origin/Referer instead, so its forms need no session token (compare/tray_views.py).
            assert response.status_code == 400 and "本站" in body
            foreign = client.post(_sample_path(rule), data={"anything": "1"}, headers={"Origin": "https://evil.example"})
            assert foreign.status_code == 400
        elif not (response.status_code == 400 and "CSRF" in body):
            unprotected.append((rule.rule, response.status_code))
    assert unprotected == []


@pytest.fixture()
def hostile_offer(app, context):
    sheet = ("sku,kind,title,region,billing,gpu_model,gpu_count,price,currency,price_unit,description\n"
             f'evil-1,gpu,"{SCRIPT.replace(chr(34), chr(34) * 2)}",cn-hangzhou,按量,NVIDIA A10,1,9.9,CNY,hour,'
             f'"{IMG.replace(chr(34), chr(34) * 2)}"\n'
             f'evil-2,gpu,"{FORMULA.replace(chr(34), chr(34) * 2)}",cn-hangzhou,按量,NVIDIA A10,1,9.8,CNY,hour,\n')
    report = import_sheet(db.session, io.BytesIO(sheet.encode()), "evil-vendor", context, filename="evil.csv")
    assert report.landed, report.summary()
    vendor = db.session.query(Vendor).filter_by(slug="evil-vendor").one()
    vendor.name_zh = vendor.name_en = f"<b>{SCRIPT}</b>"
    db.session.commit()
    return db.session.query(Offer).filter_by(sku="evil-1").one()


def test_vendor_text_is_escaped_on_every_page(client, hostile_offer):
    pages = ["/", "/offers", "/offers?q=alert", f"/offers/{hostile_offer.id}", f"/compare?ids={hostile_offer.id}",
             ]  # the JSON API carries the text as data (application/json, nosniff), not markup
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        assert SCRIPT not in body and "<img src=x" not in body and "<b><script>" not in body, path
    page = client.get(f"/offers/{hostile_offer.id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown, as text


def test_csv_export_neutralizes_formula_cells(client, hostile_offer):
    response = client.get("/offers.csv")
    assert response.status_code == 200
    text = response.get_data().decode("utf-8-sig")
    assert "HYPERLINK" in text
    cells = [cell for line in text.splitlines() for cell in line.split(",")]
    assert not any(cell.lstrip('"').startswith(("=", "+", "-", "@")) for cell in cells)
