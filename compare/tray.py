"""The compare tray: the offers a visitor has put aside to compare, at most MAX_OFFERS. No Flask.

The tray is a list of offer ids kept in the visitor's session; these functions say what it
becomes after an add or a remove. An add that would take it past the limit is refused whole
(nothing is dropped to make room), so the visitor decides what goes.
"""

from dataclasses import dataclass

from compare.side_by_side import MAX_OFFERS


class TrayFull(Exception):
    """Adding these would take the tray past MAX_OFFERS; `held` is how many it holds now."""

    def __init__(self, held: int, adding: int):
        super().__init__(f"the tray holds {held} of {MAX_OFFERS}; {adding} more do not fit")
        self.held, self.adding = held, adding


@dataclass(frozen=True)
class Added:
    ids: list[int]  # the tray after the add
    new: list[int]  # the ids that were not in it before


def cleaned(raw: object) -> list[int]:
    """The tray as the session holds it, made safe: unique positive ints, in order, at most MAX_OFFERS."""
    ids: list[int] = []
    if isinstance(raw, list):
        for value in raw:
            if isinstance(value, int) and not isinstance(value, bool) and value > 0 and value not in ids:
                ids.append(value)
    return ids[:MAX_OFFERS]


def add(tray: list[int], offer_ids: list[int]) -> Added:
    """The tray with these offers appended (those already in it stay where they are).

    :raise TrayFull: the new ones do not all fit; the tray is then unchanged.
    """
    new = [i for i in dict.fromkeys(offer_ids) if i not in tray]
    if len(tray) + len(new) > MAX_OFFERS:
        raise TrayFull(len(tray), len(new))
    return Added([*tray, *new], new)


def remove(tray: list[int], offer_id: int) -> list[int]:
    return [i for i in tray if i != offer_id]
