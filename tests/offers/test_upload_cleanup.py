"""Staged uploads expire after a day and each vendor has a cap on how many and how large."""

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from catalog.models import utcnow
from extensions import db
from offers.stall_models import SheetUpload
from tests.stall_support import finish_jobs, gbk_sheet

GOOD = "g1,显卡,4090 单卡,杭州,按量,RTX 4090,1,1.90,人民币,元/卡时,5"


pytestmark = pytest.mark.usefixtures("tmp_uploads")


@pytest.fixture()
def acme(acme_member):
    return acme_member[1]


def upload(client, rows=(GOOD,)):
    response = client.post("/stall/upload", data={"sheet": (io.BytesIO(gbk_sheet(list(rows))), "价格表.csv")},
                           content_type="multipart/form-data")
    finish_jobs()
    return response


def uploads() -> list[SheetUpload]:
    return db.session.scalars(select(SheetUpload).order_by(SheetUpload.created_at)).all()


def folder(app, staged: SheetUpload) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / staged.id


def age(staged: SheetUpload, hours: float) -> None:
    db.session.execute(update(SheetUpload).where(SheetUpload.id == staged.id)
                       .values(created_at=utcnow() - timedelta(hours=hours)))
    db.session.commit()


def test_clean_uploads_removes_uploads_older_than_a_day_and_keeps_the_rest(app, client, acme, runner):
    upload(client)
    upload(client)
    old, fresh = uploads()
    age(old, 25)
    size = sum(f.stat().st_size for f in folder(app, old).iterdir())
    result = runner.invoke(args=["clean-uploads"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1]) == {"expired": 1, "bytes_freed": size}
    assert not folder(app, old).exists() and folder(app, fresh).exists()
    page = client.get(f"/stall/uploads/{old.id}/preview")
    assert page.status_code == 410 and "已过期" in page.text and "重新上传" in page.text
    assert client.post(f"/stall/uploads/{old.id}/apply").status_code == 410
    assert client.get(f"/stall/uploads/{fresh.id}/preview").status_code == 200
    assert json.loads(runner.invoke(args=["clean-uploads"]).output.strip()) == {"expired": 0, "bytes_freed": 0}


def test_a_new_upload_clears_expired_ones_first(app, client, acme):
    upload(client)
    (old,) = uploads()
    age(old, 30)
    assert upload(client).status_code == 302
    assert not folder(app, old).exists()
    assert db.session.scalar(select(func.count(SheetUpload.id)).where(SheetUpload.expired_at.is_(None))) == 1


def test_an_upload_over_the_vendors_count_cap_is_refused_with_the_reason(app, client, acme, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_PER_VENDOR", 2)
    upload(client)
    upload(client)
    response = upload(client)
    assert response.status_code == 400
    assert "已有 2 份上传" in response.text and "上限 2 份" in response.text
    assert len(uploads()) == 2 and len(list(Path(app.config["UPLOAD_DIR"]).iterdir())) == 2
    english = client.post("/stall/upload?lang=en", data={"sheet": (io.BytesIO(gbk_sheet([GOOD])), "s.csv")},
                          content_type="multipart/form-data")
    assert english.status_code == 400 and "limit is 2" in english.text


def test_an_upload_over_the_vendors_byte_cap_is_refused_and_not_kept(app, client, acme, monkeypatch):
    upload(client)
    (first,) = uploads()
    used = sum(f.stat().st_size for f in folder(app, first).iterdir())  # the sheet and its preview
    monkeypatch.setitem(app.config, "UPLOAD_MAX_VENDOR_BYTES", used + 10)
    response = upload(client)
    assert response.status_code == 400 and "存储上限" in response.text
    assert len(uploads()) == 1 and len(list(Path(app.config["UPLOAD_DIR"]).iterdir())) == 1


def test_the_workers_hourly_task_removes_old_uploads_as_clean_uploads_does(app, client, acme):
    from offers.tasks import clean_uploads_task

    upload(client)
    upload(client)
    old, fresh = uploads()
    age(old, 25)
    clean_uploads_task()  # the test app's queue is immediate: it runs here, in its own app context
    assert not folder(app, old).exists() and folder(app, fresh).exists()
    db.session.expire_all()
    assert db.session.get(SheetUpload, old.id).expired_at is not None
