from datetime import datetime, timedelta
from decimal import Decimal
from xml.etree import ElementTree

from catalog.price_chart import ChartLabels, price_history_svg

NOW = datetime(2026, 3, 1, 12, 0)
SVG = "{http://www.w3.org/2000/svg}"


def labels(**kw):
    base = dict(title="价格走势", unit="¥ / 卡时", format_price=lambda d: f"¥{d:.2f}",
                format_date=lambda at: at.strftime("%Y-%m-%d"))
    return ChartLabels(**{**base, **kw})


def test_chart_is_valid_svg_with_one_dot_per_price_and_a_step_line():
    points = [(NOW - timedelta(days=30), Decimal("2.50")), (NOW - timedelta(days=10), Decimal("1.90"))]
    svg = price_history_svg(points, NOW, labels())
    root = ElementTree.fromstring(svg)
    assert len(root.findall(f"{SVG}circle")) == 2
    path = root.find(f"{SVG}path").get("d")
    assert path.startswith("M") and "H" in path and "V" in path
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "¥1.90" in texts  # the current price is labelled
    assert "2026-01-30" in texts and "2026-03-01" in texts  # first and last dates on the x axis
    assert "¥ / 卡时" in texts


def test_the_cheaper_price_is_drawn_lower():
    points = [(NOW - timedelta(days=30), Decimal("2.50")), (NOW - timedelta(days=10), Decimal("1.90"))]
    root = ElementTree.fromstring(price_history_svg(points, NOW, labels()))
    first, second = (float(c.get("cy")) for c in root.findall(f"{SVG}circle"))
    assert second > first  # SVG y grows downwards


def test_labels_are_escaped():
    svg = price_history_svg([(NOW, Decimal("1"))], NOW, labels(title="<script>alert(1)</script>", unit="a & b"))
    assert "<script>" not in svg
    root = ElementTree.fromstring(svg)  # still well-formed
    assert root.find(f"{SVG}title").text == "<script>alert(1)</script>"


def test_a_single_or_free_price_still_draws():
    for price in (Decimal("3.02"), Decimal("0")):
        root = ElementTree.fromstring(price_history_svg([(NOW, price)], NOW, labels()))
        assert len(root.findall(f"{SVG}circle")) == 1


def test_no_history_no_chart():
    assert price_history_svg([], NOW, labels()) == ""
