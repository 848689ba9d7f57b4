"""`flask voucher-programs --load FILE`: creates or updates by code, and a bad file writes nothing."""

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from extensions import db
from vouchers import SEED_PROGRAMS
from vouchers.models import VoucherProgram

HZ = json.loads((SEED_PROGRAMS / "hz-2026.json").read_text(encoding="utf-8"))


def write(tmp_path, data, name="p.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def programs() -> dict[str, VoucherProgram]:
    db.session.expire_all()
    return {p.code: p for p in db.session.scalars(select(VoucherProgram))}


def test_a_file_creates_the_programme_and_a_changed_file_updates_it(runner, tmp_path):
    first = runner.invoke(args=["voucher-programs", "--load", write(tmp_path, HZ)])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == {"created": ["hz-2026"], "updated": [], "unchanged": []}
    hz = programs()["hz-2026"]
    assert (hz.name_zh, hz.budget, hz.cap_per_company_per_year, hz.platform_rate) == (
        "杭州市算力券（2026，示例）", Decimal("250000000.00"), Decimal("8000000.00"), Decimal("0.0500"))
    assert hz.company_regions == ["cn-zhejiang"] and hz.rules[0] == {
        "when": {"kind": ["gpu"], "domestic_chip": True}, "rate": "0.30"}
    assert hz.example is True and hz.how_to_apply_zh

    again = runner.invoke(args=["voucher-programs", "--load", write(tmp_path, HZ)])
    assert json.loads(again.output) == {"created": [], "updated": [], "unchanged": ["hz-2026"]}
    changed = runner.invoke(args=["voucher-programs", "--load", write(tmp_path, {**HZ, "budget": "300000000"})])
    assert json.loads(changed.output)["updated"] == ["hz-2026"]
    assert programs()["hz-2026"].budget == Decimal("300000000.00") and len(programs()) == 1
    listing = runner.invoke(args=["voucher-programs"])
    assert "hz-2026" in listing.output and "2026-01-01..2026-12-31" in listing.output


@pytest.mark.parametrize(("change", "named"), [
    ({"budget": "lots"}, "budget"),
    ({"budget": "-1"}, "budget"),
    ({"platform_rate": "1.5"}, "platform_rate"),
    ({"code": "HZ 2026"}, "code"),
    ({"name": {"zh": "杭州"}}, "name.en"),
    ({"valid_to": "2025-12-31"}, "valid_to"),
    ({"valid_from": "2026-13-01"}, "valid_from"),
    ({"company_regions": ["zhejiang"]}, "company_regions"),
    ({"rules": [{"when": {"kind": ["gpu"]}, "rate": "0.3", "extra": 1}]}, "rules.0.extra"),
    ({"rules": [{"when": {"chip": True}, "rate": "0.3"}]}, "rules.0.when"),
    ({"rules": [{"when": {"gpu_model": ["a9000"]}, "rate": "0.3"}]}, "rules.0.when"),
    ({"rules": [{"when": {"domestic_chip": "yes"}, "rate": "0.3"}]}, "rules.0.when"),
    ({"rules": [{"when": {}, "rate": "0.99"}]}, "rules"),
    ({"rules": []}, "rules"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_file_names_the_key_exits_non_zero_and_writes_nothing(runner, tmp_path, change, named):
    result = runner.invoke(args=["voucher-programs", "--load", write(tmp_path, {**HZ, **change})])
    assert result.exit_code == 1
    assert f"{named}:" in result.stderr, result.stderr
    assert db.session.scalar(select(func.count()).select_from(VoucherProgram)) == 0


def test_a_bad_second_file_keeps_the_first_from_landing(runner, tmp_path):
    good = write(tmp_path, {**HZ, "code": "good"}, "good.json")
    bad = write(tmp_path, {**HZ, "code": "bad", "budget": "x"}, "bad.json")
    result = runner.invoke(args=["voucher-programs", "--load", good, "--load", bad])
    assert result.exit_code == 1 and "bad.json" in result.stderr and "budget:" in result.stderr
    assert programs() == {}


@pytest.mark.parametrize("text", ["{not json", "[]", "[1, 2]", '"a string"'])
def test_a_file_that_is_not_programmes_is_refused(runner, tmp_path, text):
    result = runner.invoke(args=["voucher-programs", "--load", write(tmp_path, text)])
    assert result.exit_code == 1 and "p.json" in result.stderr
    assert programs() == {}


def test_every_seed_programme_loads(runner):
    from vouchers import seed_programs

    assert seed_programs(db.session) == {"created": ["bj-example", "hz-2026", "sz-example"], "updated": [],
                                         "unchanged": []}
    assert all(p.example for p in programs().values())
    assert seed_programs(db.session)["unchanged"] == ["bj-example", "hz-2026", "sz-example"]
