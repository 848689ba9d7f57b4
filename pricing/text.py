"""Fold user-typed words to a comparable key: the one rule for aliases everywhere."""

import re
import unicodedata

_PUNCT = re.compile(r"[\s\-_/.(),，；;:：·]+")


def fold(text: str) -> str:
    """NFKC (full-width to half-width), lowercase, trimmed."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def squash(text: str) -> str:
    """Fold and drop spaces and separators, so 'A100-80 GB' and 'a100 80gb' meet."""
    return _PUNCT.sub("", fold(text))


# Invisible characters that change what is shown or stored: controls (NUL fails PostgreSQL's
# INSERT), format characters (bidi overrides show "safe\u202egnp.exe" as "safeexe.png";
# zero-width ones make two names look alike), surrogates, and line/paragraph separators.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
MULTILINE_CONTROLS = frozenset("\t\n\r")


def first_hidden_character(text: str, multiline: bool = False) -> tuple[int, str] | None:
    """(1-based position, character) of the first invisible character in `text`, or None.

    Tab and line breaks count as visible where `multiline`.
    """
    for position, char in enumerate(text, 1):
        if multiline and char in MULTILINE_CONTROLS:
            continue
        if unicodedata.category(char) in HIDDEN_CATEGORIES:
            return position, char
    return None
