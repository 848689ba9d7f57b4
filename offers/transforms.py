"""Row transforms for sheets whose rows are not one offer each, named by a mapping's "transform".

A transform takes raw rows (dicts keyed by the sheet's headers) and yields rows keyed by
standard columns, or `Skip`s that say why a source row became no offer. It never drops
a row silently.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class RawRow:
    number: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Skip:
    number: int
    reason: str


Transform = Callable[[Iterator[RawRow]], Iterator[RawRow | Skip]]

TRANSFORMS: dict[str, Transform] = {}


def register(name: str):
    def wrap(func: Transform) -> Transform:
        TRANSFORMS[name] = func
        return func

    return wrap


def get_transform(name: str) -> Transform:
    """:raise KeyError: no transform has this name."""
    # Importing the modules that register transforms; kept here so callers need one name.
    from offers import skypilot  # noqa: F401

    return TRANSFORMS[name]
