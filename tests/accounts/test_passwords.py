import pytest

from accounts.passwords import hash_password, needs_rehash, verify_password, weakness


def test_hash_verifies_only_the_same_password():
    stored = hash_password("s3cret-pass")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "s3cret-pass")
    assert not verify_password(stored, "s3cret-pasS")


def test_a_damaged_hash_is_a_mismatch_and_wants_rehash():
    assert not verify_password("not-a-hash", "anything")
    assert needs_rehash("not-a-hash")


@pytest.mark.parametrize("password", ["12345678", "password", "aaaaaaaa", "aaaaaaaaaa", "1234567890",
                                      "password123", "qwertyuiop", "iloveyou12345", "Password2024!"])
def test_common_and_trivial_passwords_are_weak(password):
    assert weakness(password) is not None


def test_a_password_made_of_the_persons_own_email_is_weak():
    assert weakness("shop@example.com1", user_inputs=["shop@example.com"]) == "guessable"


def test_short_passwords_are_weak_whatever_they_hold():
    assert weakness("x7#Qp!2v") == "short"  # 8 random characters: under the 10 we ask for


@pytest.mark.parametrize("password", ["correct horse battery", "a brand new one", "Tr0ub4dor&3x-long"])
def test_long_unpredictable_passwords_pass(password):
    assert weakness(password) is None
