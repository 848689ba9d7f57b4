"""Idempotency-Key on the vendor API's writes: the same key and request get the first answer; the
same key with another request is a 409; keys are per API key and kept 24 hours; concurrent
duplicates have one effect (the unique constraint, not a check in Python, decides)."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select, update

from accounts.models import IdempotencyRecord
from catalog.models import Offer, PriceHistory
from extensions import db
from tests.vendor_api_support import GPU_COLUMNS, bearer, call, served, vendor_with_key

PATH = "/api/v1/vendor/offers/g-4090"


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_the_same_key_and_body_replays_the_first_answer(client, app):
    _, _, secret = vendor_with_key("acme@example.com", "acme")
    first = client.put(PATH, json=GPU_COLUMNS, headers=bearer(secret, **{"Idempotency-Key": "k1"}))
    again = client.put(PATH, json=GPU_COLUMNS, headers=bearer(secret, **{"Idempotency-Key": "k1"}))
    assert (first.status_code, first.json["change"]) == (201, "created")
    assert (again.status_code, again.json) == (201, first.json)  # not "unchanged": the first answer
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(PriceHistory) == 1


def test_the_same_key_with_another_body_is_a_409_and_changes_nothing(client, app):
    _, _, secret = vendor_with_key("acme@example.com", "acme")
    client.put(PATH, json=GPU_COLUMNS, headers=bearer(secret, **{"Idempotency-Key": "k1"}))
    other = client.put(PATH, json={**GPU_COLUMNS, "price": "9.90"}, headers=bearer(secret, **{"Idempotency-Key": "k1"}))
    assert other.status_code == 409
    assert other.json["error"]["code"] == "idempotency_key_reused"
    elsewhere = client.delete(PATH, headers=bearer(secret, **{"Idempotency-Key": "k1"}))
    assert elsewhere.status_code == 409
    assert db.session.scalar(select(Offer.status)) == "active"
    assert str(db.session.scalar(select(Offer.list_amount))) == "1.9000000000"


def test_a_refused_request_is_replayed_too_and_writes_nothing(client, app):
    _, _, secret = vendor_with_key("acme@example.com", "acme")
    headers = bearer(secret, **{"Idempotency-Key": "bad-1"})
    first = client.put(PATH, json={**GPU_COLUMNS, "price": "x"}, headers=headers)
    again = client.put(PATH, json={**GPU_COLUMNS, "price": "x"}, headers=headers)
    assert first.status_code == again.status_code == 400
    assert first.json == again.json
    assert count(Offer) == 0


def test_keys_are_scoped_per_api_key(client, app):
    _, _, acme = vendor_with_key("acme@example.com", "acme")
    _, _, beta = vendor_with_key("beta@example.com", "beta")
    a = client.put(PATH, json=GPU_COLUMNS, headers=bearer(acme, **{"Idempotency-Key": "same"}))
    b = client.put(PATH, json=GPU_COLUMNS, headers=bearer(beta, **{"Idempotency-Key": "same"}))
    assert (a.status_code, b.status_code) == (201, 201)
    assert count(Offer) == 2


def test_a_key_is_kept_24_hours(client, app):
    _, _, secret = vendor_with_key("acme@example.com", "acme")
    headers = bearer(secret, **{"Idempotency-Key": "old"})
    client.put(PATH, json=GPU_COLUMNS, headers=headers)
    db.session.execute(update(IdempotencyRecord).values(
        created_at=IdempotencyRecord.created_at - timedelta(hours=24, minutes=1)))
    db.session.commit()
    later = client.put(PATH, json={**GPU_COLUMNS, "price": "2.00"}, headers=headers)
    assert (later.status_code, later.json["change"]) == (200, "updated")  # run afresh, not a 409
    assert count(IdempotencyRecord) == 1


def test_a_malformed_key_is_a_400(client, app):
    _, _, secret = vendor_with_key("acme@example.com", "acme")
    for bad in ("", "x" * 256, "has space", "中文"):
        response = client.put(PATH, json=GPU_COLUMNS, headers=bearer(secret, **{"Idempotency-Key": bad}))
        assert response.status_code == 400, bad
    assert count(Offer) == 0


def test_eight_concurrent_identical_requests_have_one_effect_and_one_answer(app):
    """On PostgreSQL (CI runs it there too): a duplicate's INSERT waits on the first one's unique
    index entry and then replays its answer; on SQLite the write lock serializes them."""
    _, _, secret = vendor_with_key("acme@example.com", "acme")
    with served(app) as base:
        def put(_):
            return call(base, "PUT", PATH, secret, GPU_COLUMNS, **{"Idempotency-Key": "race"})

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(put, range(8)))
    db.session.expire_all()
    assert {(status, str(body)) for status, body, _ in answers} == {(201, str(answers[0][1]))}, answers
    assert answers[0][1]["change"] == "created"
    assert (count(Offer), count(PriceHistory), count(IdempotencyRecord)) == (1, 1, 1)
    assert sum(1 for _, _, headers in answers if headers.get("Idempotent-Replayed") == "true") == 7


def test_the_sweep_removes_only_expired_records(client, app):
    """expire_records: the plain function the task queue runs periodically (contract C4)."""
    from accounts.idempotency import expire_records

    _, _, secret = vendor_with_key("acme@example.com", "acme")
    for key in ("a", "b"):
        client.put(PATH, json=GPU_COLUMNS, headers=bearer(secret, **{"Idempotency-Key": key}))
    db.session.execute(update(IdempotencyRecord).where(IdempotencyRecord.key == "a").values(
        created_at=IdempotencyRecord.created_at - timedelta(hours=25)))
    assert expire_records(db.session) == 1
    db.session.commit()
    assert db.session.scalars(select(IdempotencyRecord.key)).all() == ["b"]
