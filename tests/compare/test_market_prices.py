"""Market pages keep the digits that tell cheap token prices apart (they used '%.2f': ¥0.0216 showed as ¥0.02)."""

from extensions import db
from tests.catalog.factories import token_offer


def test_token_market_shows_per_token_prices_with_their_digits(client):
    token_offer("0.003", "0.012", vendor_slug="cheap", model="gpt-4o")  # ¥0.0216 / ¥0.0864 per 1M tokens
    db.session.commit()
    page = client.get("/market/token/gpt-4o").text
    assert "¥0.0216" in page and "¥0.0864" in page
    assert client.get("/market").text.count("¥0.0216") == 1
