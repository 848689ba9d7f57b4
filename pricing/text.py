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
