"""What counts as a price the buyer has not seen: per line, by cart line, totals and unit prices."""

from decimal import Decimal as D

from checkout.price_change import LineChange, SeenLine, changed_lines, total_of


def line(line_id, total, unit="10", offer_id=None, title="H100"):
    return SeenLine(line_id, offer_id or line_id, title, D(unit), D(total))


def test_the_same_prices_are_no_change():
    seen = [line(1, "5000.00"), line(2, "33.60", unit="11.2")]
    assert changed_lines(seen, list(seen)) == []


def test_a_line_total_that_rose_shows_old_and_new():
    assert changed_lines([line(1, "5000.00", unit="10")], [line(1, "5500.00", unit="11")]) == [
        LineChange(1, "H100", D("5000.00"), D("5500.00"), D("10"), D("11"))]


def test_a_unit_price_change_that_rounds_to_the_same_total_still_counts():
    [change] = changed_lines([line(1, "1.00", unit="0.333333")], [line(1, "1.00", unit="0.333334")])
    assert change.unit_price_changed and change.old == change.new


def test_lines_added_and_removed_since_are_changes():
    changes = changed_lines([line(1, "10.00"), line(2, "20.00")], [line(1, "10.00"), line(3, "30.00")])
    assert [(c.offer_id, c.old, c.new) for c in changes] == [(3, None, D("30.00")), (2, D("20.00"), None)]


def test_a_line_removed_and_added_again_is_a_new_line_even_at_the_same_price():
    changes = changed_lines([line(1, "10.00", offer_id=7)], [line(2, "10.00", offer_id=7)])
    assert [(c.old, c.new) for c in changes] == [(None, D("10.00")), (D("10.00"), None)]


def test_seen_lines_survive_json_exactly():
    original = line(4, "267137.50", unit="0.0376250000")
    assert SeenLine.from_json(original.as_json()) == original
    assert original.as_json()["total"] == "267137.50"


def test_total_of_what_was_seen():
    assert total_of([line(1, "0.10"), line(2, "0.20")]) == D("0.30")
    assert total_of([]) == D("0.00")
