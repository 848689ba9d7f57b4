"""The browse pager: a handful of links whatever the number of pages."""

from web.nav import pager


def test_few_pages_are_all_shown():
    assert pager(1, 1) == [1]
    assert pager(3, 5) == [1, 2, 3, 4, 5]


def test_many_pages_show_the_ends_and_two_either_side_of_the_current_one():
    assert pager(50, 4000) == [1, None, 48, 49, 50, 51, 52, None, 4000]
    assert pager(1, 4000) == [1, 2, 3, None, 4000]
    assert pager(4000, 4000) == [1, None, 3998, 3999, 4000]


def test_a_gap_of_one_page_shows_that_page_not_an_ellipsis():
    assert pager(4, 10) == [1, 2, 3, 4, 5, 6, None, 10]
