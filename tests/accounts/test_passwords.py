from accounts.passwords import hash_password, needs_rehash, verify_password


def test_hash_verifies_only_the_same_password():
    stored = hash_password("s3cret-pass")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "s3cret-pass")
    assert not verify_password(stored, "s3cret-pasS")


def test_a_damaged_hash_is_a_mismatch_and_wants_rehash():
    assert not verify_password("not-a-hash", "anything")
    assert needs_rehash("not-a-hash")
