"""SVG charts: well-formed, every label escaped, values placed on a sane axis."""

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal as D

from compare.charts import _nice_max, range_chart, trend_chart
from compare.market import Spread


def test_range_chart_is_valid_svg_with_escaped_labels():
    spreads = [Spread("on_demand", D("17.12"), D("48.848"), D("87.259"), 12, 5)]
    svg = range_chart(spreads, {"on_demand": "<按量 & co>"}, "H100 <today>", "元/卡时", "个报价")
    root = ET.fromstring(svg)  # parses: nothing unescaped
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "<按量 & co>" in texts and "H100 <today>" in texts
    assert "48.85" in texts and "17.12" in texts and "87.26" in texts


def test_trend_chart_one_line_per_series():
    series = {"on_demand": [(date(2026, 1, 1), D(20)), (date(2026, 2, 1), D(18))], "spot": [(date(2026, 1, 1), D(9))]}
    root = ET.fromstring(trend_chart(series, {"on_demand": "On demand", "spot": "Spot"}, "t", "CNY"))
    assert len(root.findall("{http://www.w3.org/2000/svg}polyline")) == 1  # spot has a single point
    assert len(root.findall("{http://www.w3.org/2000/svg}circle")) == 3


def test_axis_ends_are_round():
    assert _nice_max(D("87.259")) == D(100)
    assert _nice_max(D("17.12")) == D(20)
    assert _nice_max(D("0.3")) == D("0.5")
