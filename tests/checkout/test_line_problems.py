"""Which cart lines cannot be bought, and why."""

import pytest

from checkout.line_problems import Problem, line_problem


@pytest.mark.parametrize(("status", "stock", "takes", "expected"), [
    ("active", None, 10**6, None),  # unknown stock never stops a line
    ("active", 5, 5, None),
    ("active", 5, 6, Problem.TOO_MANY),
    ("active", 0, 1, Problem.SOLD_OUT),
    ("delisted", 5, 1, Problem.DELISTED),
    ("delisted", 0, 1, Problem.DELISTED),  # delisted says more than sold out
])
def test_line_problem(status, stock, takes, expected):
    found = line_problem(offer_id=1, title="H100", status=status, stock=stock, takes=takes)
    assert (found.problem if found else None) == expected


def test_too_many_says_how_many_are_left():
    assert line_problem(offer_id=1, title="H100", status="active", stock=2, takes=3).left == 2
