"""The fast path (text engine + snapshot) against plain SQL, and the index against the database.

Random create/update/delete sequences go through the real write paths (sheet import and ORM
changes); afterwards check-index must be clean and every random query must agree with SQL.
"""

import io
import random
from decimal import Decimal

import pytest
from marshmallow import ValidationError
from sqlalchemy import select

from catalog.models import Offer, Vendor
from catalog.offer_query import OfferQuerySchema, search_offers, sql_search
from catalog.registry import default_registries
from catalog.search_engine import make_engine
from catalog.search_service import service_for
from extensions import db
from offers.sheet_import import import_sheet

TEXTS = ["ascend 910b", "华东", "h10o", "a100 80g 北京 包月", "deepseek", "4090", "l40s 竞价", "qwen", "云服务器", "zzz"]


def random_params(rng: random.Random) -> dict:
    raw = {}
    if rng.random() < 0.5:
        raw["kind"] = rng.choice(["gpu", "cpu", "token"])
    if rng.random() < 0.3:
        raw["gpu_model"] = rng.choice(["h100", "a100 80g", "4090", "昇腾910B", "l40s"])
    if rng.random() < 0.3:
        raw["region"] = rng.choice(["华东", "北京", "浙江", "cn-shanghai", "Singapore"])
    if rng.random() < 0.3:
        raw["billing"] = rng.choice(["on_demand", "monthly", "yearly", "spot"])
    if rng.random() < 0.2:
        raw["min_gpu_count"] = rng.choice(["0.5", "1", "8"])
    if rng.random() < 0.2:
        raw["min_vcpus"] = rng.choice(["4", "32"])
    if rng.random() < 0.2:
        raw["min_gpu_memory_gb"] = rng.choice(["24", "80"])
    if rng.random() < 0.3:
        raw["max_unit_price"] = rng.choice(["0.5", "3", "12.345678", "50"])
    if rng.random() < 0.2:
        raw["min_unit_price"] = rng.choice(["0.1", "2"])
    if rng.random() < 0.2:
        raw["in_stock"] = "true"
    if rng.random() < 0.1:
        raw["include_delisted"] = "true"
    if rng.random() < 0.2:
        raw["off_peak"] = "1"
    if rng.random() < 0.3:
        raw["available_from"] = rng.choice(["2026-12-01", "2026-12-05 22:30", "2027-06-01T09:00", "2025-01-01"])
    if rng.random() < 0.3:
        raw["available_to"] = rng.choice(["2027-12-31", "2028-01-01T07:00", "2030-01-01"])
    if rng.random() < 0.2:  # a working day, a night, half an hour: night-only deposits split on them
        raw["available_from"], raw["available_to"] = rng.choice([
            ("2027-03-02T09:00", "2027-03-02T18:00"), ("2027-03-02T21:00", "2027-03-03T02:00"),
            ("2027-03-02T23:10", "2027-03-02T23:50")])
    if rng.random() < 0.4:
        raw["q"] = rng.choice(TEXTS)
    raw["sort"] = rng.choice(["unit_price", "-unit_price", "price_per_tflop_hour", "-price_per_tflop_hour",
                              "updated_at", "effective_price", "-effective_price"])
    if raw["sort"].endswith("effective_price") or rng.random() < 0.2:
        # A job's length: under a month, a few months, and a whole year.
        raw["duration_hours"] = str(rng.choice([1, 72, 729, 731, 2000, 8760]))
    raw["per_page"] = str(rng.choice([5, 20, 100]))
    raw["page"] = str(rng.choice([1, 1, 2]))
    return OfferQuerySchema().load(raw)


def assert_paths_agree(rng: random.Random, rounds: int) -> None:
    registries = default_registries()
    for _ in range(rounds):
        params = random_params(rng)
        fast = search_offers(db.session, params, registries)
        slow = sql_search(db.session, params, registries)
        assert fast.total == slow.total, params
        assert fast.facets == slow.facets, params
        assert [o.id for o in fast.items] == [o.id for o in slow.items], params
        for name, counts in fast.facets.items():
            if name in ("kind", "vendor", "billing"):
                assert sum(counts.values()) == fast.total, (name, params)


@pytest.fixture(params=["whoosh", "tantivy"])
def text_engine(request, app, tmp_path):
    """The app's search service on each text engine in turn (tantivy swapped in before any data)."""
    service = service_for(db.engine)
    if request.param == "whoosh":
        yield service.text
        return
    whoosh = service.text
    service.text = make_engine("tantivy", tmp_path / "tantivy-index")
    try:
        yield service.text
    finally:
        service.text.close()
        service.text = whoosh


def test_fast_path_equals_sql_on_random_queries(text_engine, seeded):
    assert_paths_agree(random.Random(1), 150)


def test_effective_price_ranks_a_monthly_machine_by_what_a_short_job_pays(app, seeded):
    # The cheapest-looking monthly row pays a whole month for 72 hours (730 / 72 ≈ 10× its card-hour
    # price): both paths rank it below every hourly offer that is cheaper per hour than that.
    registries = default_registries()
    params = OfferQuerySchema().load({"kind": "gpu", "duration_hours": "72", "per_page": "100"})
    assert params["sort"] == "effective_price"
    fast = search_offers(db.session, params, registries)
    slow = sql_search(db.session, params, registries)
    assert [o.id for o in fast.items] == [o.id for o in slow.items]

    def effective(o):
        return o.unit_price * (730 if o.billing == "monthly" else 8760 if o.billing == "yearly" else 72) / 72

    shown = [effective(o) for o in fast.items]
    assert shown == sorted(shown)
    plain = sql_search(db.session, {**params, "sort": "unit_price"}, registries)
    monthly = next(o for o in plain.items if o.billing == "monthly")
    ranked = [o.id for o in fast.items]
    # Off the first 100 altogether, or at least further down than by its card-hour price.
    where = ranked.index(monthly.id) if monthly.id in ranked else len(ranked)
    assert where > [o.id for o in plain.items].index(monthly.id)
    assert effective(monthly) == monthly.unit_price * 730 / 72


@pytest.mark.parametrize("raw, field", [({"duration_hours": "0"}, "duration_hours"),
                                        ({"duration_hours": "8761"}, "duration_hours"),
                                        ({"duration_hours": "3.5"}, "duration_hours"),
                                        ({"sort": "effective_price"}, "duration_hours")])
def test_bad_durations_are_refused_naming_the_field(raw, field):
    with pytest.raises(ValidationError) as exc:
        OfferQuerySchema().load(raw)
    assert field in exc.value.messages


def sheet(rows: list[dict]) -> io.BytesIO:
    header = "sku,kind,title,region,billing,gpu_model,gpu_count,price,currency,price_unit,stock"
    lines = [header] + [f"{r['sku']},gpu,{r['title']},{r['region']},on_demand,{r['gpu']},{r['count']},"
                        f"{r['price']},CNY,hour,{r['stock']}" for r in rows]
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def random_row(rng: random.Random, sku: str) -> dict:
    return {"sku": sku, "title": rng.choice(["昇腾910B 整机", "H100 SXM 8卡", "A100 80G 单卡", "RTX 4090 云主机",
                                             "L40S training node"]),
            "region": rng.choice(["cn-hangzhou", "cn-beijing", "cn-shanghai", "sg-singapore"]),
            "gpu": rng.choice(["昇腾910B", "H100", "A100 80GB", "RTX 4090", "L40S"]),
            "count": rng.choice([1, 2, 8]), "price": f"{rng.uniform(1, 90):.2f}", "stock": rng.choice(["", 0, 3])}


def test_random_writes_keep_the_index_true(app, text_engine, runner, context):
    rng = random.Random(7)
    skus: dict[str, dict] = {}
    for step in range(25):
        action = rng.random()
        if action < 0.4 or not skus:
            # A sheet import: new skus and re-priced old ones, in bulk statements.
            rows = [random_row(rng, f"s{step}-{i}") for i in range(rng.randint(1, 6))]
            for sku in rng.sample(sorted(skus), min(len(skus), 3)):
                rows.append({**random_row(rng, sku)})
            report = import_sheet(db.session, sheet(rows), rng.choice(["acme", "bolt"]), context,
                                  filename="s.csv")
            assert report.landed, report.summary()
            skus.update({r["sku"]: r for r in rows})
        elif action < 0.7:
            offer = db.session.scalar(select(Offer).where(Offer.sku == rng.choice(sorted(skus))))
            if offer is not None:
                offer.unit_price = Decimal(f"{rng.uniform(0.5, 99):.6f}")
                offer.title = rng.choice(["改名 昇腾910B", "renamed H100 box", offer.title])
                offer.region = rng.choice(["cn-guiyang", offer.region])
                db.session.commit()
        elif action < 0.85:
            offer = db.session.scalar(select(Offer).where(Offer.sku == rng.choice(sorted(skus))))
            if offer is not None:
                db.session.delete(offer)
                db.session.commit()
                skus.pop(offer.sku, None)
        else:
            vendor = db.session.scalar(select(Vendor).where(Vendor.slug == "acme"))
            if vendor is not None:
                vendor.name_zh = rng.choice(["极速算力", "阿克米"])
                db.session.commit()
    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 0, result.output
    assert_paths_agree(random.Random(3), 60)


def test_a_reprice_is_searchable_at_once(client, seeded):
    offer = db.session.scalar(select(Offer).where(Offer.kind == "gpu", Offer.status == "active").limit(1))
    offer.unit_price = Decimal("0.000123")
    db.session.commit()
    body = client.get("/api/v1/offers", query_string={"max_unit_price": "0.0002"}).get_json()
    assert [i["id"] for i in body["items"]] == [offer.id]


def test_a_kept_answer_never_outlives_a_change(client, seeded):
    """The same filter-only query before and after a re-price and a delisting (answers are
    kept per snapshot until it changes): the second answer shows both at once."""
    query = {"kind": "gpu", "sort": "unit_price", "per_page": "5"}
    before = client.get("/api/v1/offers", query_string=query).get_json()
    again = client.get("/api/v1/offers", query_string=query).get_json()
    assert again == before  # asked twice, answered the same
    priciest = db.session.scalar(select(Offer).where(Offer.kind == "gpu", Offer.status == "active")
                                 .order_by(Offer.unit_price.desc()).limit(1))
    priciest.unit_price = Decimal("0.000001")
    db.session.commit()
    after = client.get("/api/v1/offers", query_string=query).get_json()
    assert after["items"][0]["id"] == priciest.id and after["total"] == before["total"]
    priciest.status = "delisted"
    db.session.commit()
    gone = client.get("/api/v1/offers", query_string=query).get_json()
    assert gone["total"] == before["total"] - 1 and priciest.id not in [i["id"] for i in gone["items"]]


def test_a_broken_index_never_fails_a_save(app, monkeypatch, runner):
    service = service_for(db.engine)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(service.text, "upsert", broken)
    vendor = Vendor(slug="acme")
    db.session.add(vendor)
    db.session.flush()
    offer = Offer(vendor_id=vendor.id, sku="x1", kind="cpu", title="CPU 8核", billing="on_demand",
                  list_currency="CNY", list_unit="hour", unit_price=Decimal("0.2"), vcpus=Decimal(8))
    db.session.add(offer)
    db.session.commit()  # must not raise
    assert db.session.get(Offer, offer.id) is not None
    assert runner.invoke(args=["check-index"]).exit_code == 1  # still broken: the index lags, and says so
    monkeypatch.undo()
    assert runner.invoke(args=["check-index"]).exit_code == 0  # drained from the outbox


def test_reindex_swaps_in_a_fresh_index(app, text_engine, runner, seeded):
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0 and f"indexed {seeded['created'] + seeded['deposits']['saved']} offers" in result.output
    assert runner.invoke(args=["check-index"]).exit_code == 0
