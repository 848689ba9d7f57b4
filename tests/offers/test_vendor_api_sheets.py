"""Sheets through the vendor API: the stall's upload job (stage, preview, apply), by key."""

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalog.models import Offer
from extensions import db
from offers.stall_models import ImportJob, SheetUpload
from tests.stall_support import STANDARD_HEADER, finish_jobs, gbk_sheet
from tests.vendor_api_support import bearer, vendor_with_key

GOOD = "s1,gpu,,cn-hangzhou,on_demand,RTX 4090,1,,,,,,,1.90,,,CNY,card_hour,5,"
BAD = "s2,gpu,,cn-hangzhou,on_demand,RTX 9999,1,,,,,,,1.90,,,CNY,card_hour,5,"


@pytest.fixture()
def secret(app, tmp_uploads):
    return vendor_with_key("acme@example.com", "acme")[2]


def upload(client, secret, body: bytes, name="s.csv", **form):
    return client.post("/api/v1/vendor/sheets", headers=bearer(secret), content_type="multipart/form-data",
                       data={"sheet": (io.BytesIO(body), name), **form})


def sheet(*rows: str) -> bytes:
    return "\n".join([STANDARD_HEADER, *rows, ""]).encode()


def test_upload_preview_apply(client, secret):
    posted = upload(client, secret, sheet(GOOD, BAD))
    assert posted.status_code == 202, posted.json
    upload_id = posted.json["id"]
    assert posted.json["preview"]["status"] in ("queued", "running", "done")
    finish_jobs()
    status = client.get(f"/api/v1/vendor/sheets/{upload_id}", headers=bearer(secret)).json
    assert status["preview"]["status"] == "done" and status["apply"] is None
    preview = client.get(f"/api/v1/vendor/sheets/{upload_id}/preview", headers=bearer(secret)).json
    assert preview["counts"] == {"new": 1, "changed": 0, "unchanged": 0, "error": 1, "rows": 2}
    assert [r["change"] for r in preview["rows"]] == ["new", "error"]
    assert preview["rows"][1]["errors"][0]["column"] == "gpu_model"
    applied = client.post(f"/api/v1/vendor/sheets/{upload_id}/apply", json={"mode": "good_rows"},
                          headers=bearer(secret))
    assert applied.status_code == 202, applied.json
    finish_jobs()
    status = client.get(f"/api/v1/vendor/sheets/{upload_id}", headers=bearer(secret)).json
    assert status["apply"]["status"] == "done" and status["apply"]["summary"]["created"] == 1
    assert db.session.scalars(select(Offer.sku)).all() == ["s1"]


def test_a_chinese_sheet_maps_itself(client, secret):
    posted = upload(client, secret, gbk_sheet(["g1,显卡,4090 单卡,杭州,按量,RTX 4090,1,1.90,人民币,元/卡时,5"]))
    assert posted.status_code == 202, posted.json
    finish_jobs()
    preview = client.get(f"/api/v1/vendor/sheets/{posted.json['id']}/preview", headers=bearer(secret)).json
    assert preview["counts"]["new"] == 1


def test_headers_it_cannot_map_need_a_mapping_and_leave_nothing(client, secret, app):
    body = "编码,显卡型号,价钱\nx,RTX 4090,1.9\n".encode()
    refused = upload(client, secret, body)
    assert refused.status_code == 400 and "mapping" in refused.json["error"]["details"]
    assert db.session.scalar(select(func.count(SheetUpload.id))) == 0
    root = Path(app.config["UPLOAD_DIR"])
    assert not root.exists() or not any(root.iterdir())  # its staged file is gone too
    mapping = {"columns": {"编码": "sku", "显卡型号": "gpu_model", "价钱": "price"},
               "defaults": {"kind": "gpu", "region": "cn-hangzhou", "currency": "CNY", "price_unit": "card_hour",
                            "billing": "on_demand"}}
    posted = upload(client, secret, body, mapping=json.dumps(mapping, ensure_ascii=False))
    assert posted.status_code == 202, posted.json
    finish_jobs()
    assert client.get(f"/api/v1/vendor/sheets/{posted.json['id']}/preview",
                      headers=bearer(secret)).json["counts"]["new"] == 1
    wrong = upload(client, secret, body, mapping=json.dumps({"columns": {"编码": "vendor_id"}}))
    assert wrong.status_code == 400 and "vendor_id" in wrong.json["error"]["message"]


def test_an_unreadable_file_is_a_400(client, secret):
    response = upload(client, secret, b"\x00\x01binary", name="x.pdf")
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_sheet"
    assert upload(client, secret, b"", name="").status_code == 400


def test_apply_waits_for_the_preview_and_an_unknown_sheet_is_404(client, secret):
    assert client.get("/api/v1/vendor/sheets/" + "0" * 32, headers=bearer(secret)).status_code == 404
    assert client.get("/api/v1/vendor/sheets/../../etc", headers=bearer(secret)).status_code == 404
    posted = upload(client, secret, sheet(GOOD))
    db.session.execute(ImportJob.__table__.delete())  # as if the preview had not run yet
    db.session.commit()
    finish_jobs()
    from offers import upload_session

    upload_session.upload_dir(client.application.config["UPLOAD_DIR"], posted.json["id"]).joinpath(
        "preview.json").unlink(missing_ok=True)
    response = client.post(f"/api/v1/vendor/sheets/{posted.json['id']}/apply", headers=bearer(secret))
    assert response.status_code == 409


def test_a_retried_upload_with_the_same_idempotency_key_stages_once(client, secret):
    headers = {"Idempotency-Key": "upload-1"}
    first = client.post("/api/v1/vendor/sheets", headers=bearer(secret, **headers), content_type="multipart/form-data",
                        data={"sheet": (io.BytesIO(sheet(GOOD)), "s.csv")})
    again = client.post("/api/v1/vendor/sheets", headers=bearer(secret, **headers), content_type="multipart/form-data",
                        data={"sheet": (io.BytesIO(sheet(GOOD)), "s.csv")})
    finish_jobs()
    assert (first.status_code, again.status_code) == (202, 202) and first.json["id"] == again.json["id"]
    assert db.session.scalar(select(func.count(SheetUpload.id))) == 1
    other = client.post("/api/v1/vendor/sheets", headers=bearer(secret, **headers), content_type="multipart/form-data",
                        data={"sheet": (io.BytesIO(sheet(BAD)), "s.csv")})
    assert other.status_code == 409


def test_a_refused_upload_with_an_idempotency_key_answers_its_400_and_replays_it(client, secret):
    # The upload's clean-up of old sheets commits before the file is refused: the key's record must
    # still get the 400, not stay a claim with no answer.
    def send():
        return client.post("/api/v1/vendor/sheets", headers=bearer(secret, **{"Idempotency-Key": "bad-1"}),
                           content_type="multipart/form-data", data={"sheet": (io.BytesIO(b"abc"), "x.pdf")})

    first, again = send(), send()
    assert (first.status_code, first.json["error"]["code"]) == (400, "bad_sheet")
    assert (again.status_code, again.json, again.headers.get("Idempotent-Replayed")) == (400, first.json, "true")
    assert db.session.scalar(select(func.count(SheetUpload.id))) == 0


def test_a_multipart_part_without_a_name_is_a_plain_400_with_an_idempotency_key(client, secret):
    b = "b0"
    body = (f'--{b}\r\nContent-Disposition: form-data; name=""\r\n\r\nnull\r\n'
            f'--{b}\r\nContent-Disposition: form-data; name="\\"\r\n\r\nnull\r\n'
            f'--{b}\r\nContent-Disposition: form-data; name="sheet"; filename="sheet"\r\n\r\nnull\r\n--{b}--\r\n')
    response = client.post("/api/v1/vendor/sheets", headers=bearer(secret, **{"Idempotency-Key": "n-1"}),
                           data=body.encode(), content_type=f"multipart/form-data; boundary={b}")
    assert (response.status_code, response.json["error"]["code"]) == (400, "bad_sheet")
