import json
from datetime import date

import pytest

from extensions import db
from tests.catalog.factories import gpu_offer
from vouchers import SEED_PROGRAMS
from vouchers.program_loader import save_programs
from vouchers.program_schema import program_from_file


def hangzhou(**changes) -> dict:
    """hz-2026 as seeded, in force from 2020 to 2099 so the tests do not age out."""
    data = json.loads((SEED_PROGRAMS / "hz-2026.json").read_text(encoding="utf-8"))
    return {**data, "valid_from": "2020-01-01", "valid_to": "2099-12-31", **changes}


def load(*files: dict) -> None:
    save_programs(db.session, [program_from_file(f) for f in files])


@pytest.fixture()
def hz(app):
    load(hangzhou())
    return "hz-2026"


@pytest.fixture()
def order(app):
    """576 card-hours of Ascend 910B at ¥9.50 and 100 of H100 at ¥21.33, in Hangzhou."""
    ascend = gpu_offer("9.50", "ascend-910b", vendor_slug="autodl", region="cn-hangzhou")
    h100 = gpu_offer("21.33", "h100-sxm", vendor_slug="autodl", region="cn-hangzhou")
    db.session.commit()
    return ascend, h100


__all__ = ["date", "hangzhou", "load"]
