"""Password hashing with argon2id (argon2-cffi's PasswordHasher and its current defaults), and
which passwords are too weak to accept (zxcvbn's estimate of how many guesses one takes)."""

import secrets
from collections.abc import Sequence
from functools import cache
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()
MIN_LENGTH = 10
MAX_LENGTH = 200
# zxcvbn's 0-4 scale; 3 is "safely unguessable: moderate protection from an offline slow-hash
# attack" (>= 10^8 guesses), which is what a stolen argon2 hash would face.
MIN_SCORE = 3
# zxcvbn refuses longer input by default and its matching grows quadratically with length;
# the first 72 characters decide (a password whose first 72 characters are strong is strong).
SCORED_CHARS = 72


def weakness(password: str, user_inputs: Sequence[str] = ()) -> Literal["short", "guessable"] | None:
    """Why `password` is too weak to accept, or None when it will do.

    'short' under MIN_LENGTH characters; 'guessable' when zxcvbn finds it among common passwords,
    words, names, keyboard walks, repeats, sequences, dates or the person's own `user_inputs`.
    """
    if len(password) < MIN_LENGTH:
        return "short"
    inputs = [part for value in user_inputs if value for part in (value, *value.replace("@", " ").split())]
    if zxcvbn(password[:SCORED_CHARS], user_inputs=inputs)["score"] < MIN_SCORE:
        return "guessable"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when `password` matches; a damaged or foreign hash is a mismatch, not an error."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _stand_in_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(32))


def verify_for_unknown_account(password: str) -> bool:
    """Spend the time verify_password spends, for an email with no account; always False.

    Without it a wrong password took ~20 times longer for a real account than for an unknown one,
    which told anyone which emails have accounts.
    """
    verify_password(_stand_in_hash(), password)
    return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's defaults."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
