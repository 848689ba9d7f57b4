"""The price-sheet upload through the views: GBK, mapping and its memory, preview, apply, errors, limits."""

import csv
import io
import threading

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from catalog.models import ImportRun, Offer
from extensions import db
from offers.mapping_memory import ERROR_COLUMN
from offers.stall_models import ImportJob, SheetMapping
from tests.stall_support import STANDARD_HEADER, finish_jobs, gbk_sheet

GOOD = "g1,显卡,4090 单卡,杭州,按量,RTX 4090,1,1.90,人民币,元/卡时,5"
BAD = "g2,显卡,坏型号,杭州,按量,RTX 9999,1,2.00,人民币,元/卡时,5"


pytestmark = pytest.mark.usefixtures("tmp_uploads")


@pytest.fixture()
def acme(acme_member):
    return acme_member[1]


def upload(client, data: bytes, name: str = "价格表.csv"):
    response = client.post("/stall/upload", data={"sheet": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    finish_jobs()
    return response


def preview_of(client, response, **params):
    """Follow an upload's redirect (job page, then preview) once its job has finished."""
    assert response.status_code == 302, response.text
    return client.get(response.headers["Location"], query_string=params, follow_redirects=True)


def apply(client, upload_id: str, **form):
    response = client.post(f"/stall/uploads/{upload_id}/apply", data=form)
    finish_jobs()
    assert response.status_code == 302
    return client.get(response.headers["Location"], follow_redirects=True)


def latest_upload_id() -> str:
    return db.session.scalar(select(ImportJob.upload_id).order_by(ImportJob.id.desc()).limit(1))


def test_gbk_sheet_with_a_bad_row_previews_then_lands_nothing_all_or_nothing(client, acme):
    page = preview_of(client, upload(client, gbk_sheet([GOOD, BAD]))).text
    assert 'class="change-error"' in page and "第 3 行" in page and "gpu_model" in page and "RTX 9999" in page
    assert "= ¥1.90 / 卡时" in page
    assert db.session.scalar(select(func.count(Offer.id))) == 0  # a preview writes nothing
    page = apply(client, latest_upload_id()).text
    assert "未导入任何内容" in page
    assert db.session.scalar(select(func.count(Offer.id))) == 0
    run = db.session.scalar(select(ImportRun))
    assert (run.landed, run.rejected, run.source) == (False, 1, "upload")


def test_good_rows_mode_lands_the_good_rows(client, acme):
    upload(client, gbk_sheet([GOOD, BAD]))
    page = apply(client, latest_upload_id(), mode="good_rows").text
    assert "价格表已导入" in page
    assert db.session.scalars(select(Offer.sku)).all() == ["g1"]


def test_bad_rows_download_fix_and_reupload(client, acme):
    upload(client, gbk_sheet([GOOD, BAD]))
    upload_id = latest_upload_id()
    sheet = client.get(f"/stall/uploads/{upload_id}/errors.csv")
    assert sheet.status_code == 200 and sheet.data.startswith("\ufeff".encode())
    assert sheet.headers["Content-Type"] == "text/csv; charset=utf-8"  # once, not "…; charset=utf-8; charset=utf-8"
    rows = list(csv.reader(io.StringIO(sheet.data.decode("utf-8-sig"))))
    assert rows[0][-1] == ERROR_COLUMN and rows[0][0] == "编号"
    assert len(rows) == 2 and rows[1][0] == "g2" and "gpu_model" in rows[1][-1]
    # The vendor fixes the model in the error sheet and uploads it as it is (error column included).
    rows[1][5] = "RTX 4090"
    fixed = io.StringIO()
    csv.writer(fixed).writerows(rows)
    page = preview_of(client, upload(client, fixed.getvalue().encode("utf-8-sig"), "fixed.csv")).text
    assert 'class="change-error"' not in page
    apply(client, latest_upload_id())
    assert db.session.scalars(select(Offer.sku)).all() == ["g2"]


def test_reupload_shows_changed_prices_old_to_new_and_keeps_history(client, acme):
    upload(client, gbk_sheet([GOOD]))
    apply(client, latest_upload_id())
    changed = GOOD.replace("1.90", "1.70")
    page = preview_of(client, upload(client, gbk_sheet([changed]))).text
    assert 'class="change-changed"' in page and "¥1.90 / 卡时</s> → = ¥1.70 / 卡时" in page
    apply(client, latest_upload_id())
    offer = db.session.scalar(select(Offer))
    assert [str(h.unit_price) for h in offer.price_history] == ["1.900000", "1.700000"]
    page = preview_of(client, upload(client, gbk_sheet([changed]))).text
    assert 'class="change-unchanged"' in page


def test_delist_missing_is_off_by_default_and_previewed(client, acme):
    upload(client, gbk_sheet([GOOD, BAD.replace("RTX 9999", "RTX 4090")]))
    apply(client, latest_upload_id())
    page = preview_of(client, upload(client, gbk_sheet([GOOD]))).text
    assert "将被下架的报价" in page and "<code>g2</code>" in page
    upload_id = latest_upload_id()
    apply(client, upload_id)
    assert db.session.scalar(select(Offer.status).where(Offer.sku == "g2")) == "active"
    page = apply(client, upload_id, delist_missing="1").text
    assert "下架 1" in page
    db.session.expire_all()
    assert db.session.scalar(select(Offer.status).where(Offer.sku == "g2")) == "delisted"
    assert db.session.scalar(select(Offer.status).where(Offer.sku == "g1")) == "active"


def test_unknown_headers_go_through_mapping_which_is_remembered(client, acme):
    sheet = b"Instance,Accel,Where,Hourly USD,Cards\nbox-1,A100 80GB,us-east-1,8.00,8\n"
    response = upload(client, sheet, "aws-export.csv")
    assert "/mapping" in response.headers["Location"]
    upload_id = response.headers["Location"].split("/")[3]
    page = client.get(response.headers["Location"]).text
    assert 'class="unmapped"' in page
    form = {"col-0": "sku", "col-1": "gpu_model", "col-2": "region", "col-3": "price", "col-4": "gpu_count",
            "default-kind": "gpu", "default-currency": "USD", "default-price_unit": "hour",
            "default-billing": "on_demand"}
    response = client.post(f"/stall/uploads/{upload_id}/mapping", data=form)
    finish_jobs()
    page = preview_of(client, response).text
    assert 'class="change-new"' in page and "= ¥7.10 / 卡时" in page  # USD 8 per 8 cards at 7.10 CNY/USD
    assert db.session.scalar(select(func.count(SheetMapping.id))) == 1
    # The same header shape next time skips the mapping step.
    response = upload(client, sheet, "aws-export-2.csv")
    assert "/stall/jobs/" in response.headers["Location"]


def test_a_mapping_with_two_headers_on_one_column_is_refused(client, acme):
    response = upload(client, b"a,b\n1,2\n", "odd.csv")
    upload_id = response.headers["Location"].split("/")[3]
    response = client.post(f"/stall/uploads/{upload_id}/mapping", data={"col-0": "price", "col-1": "price"})
    assert response.status_code == 400 and "都对应标准列 price" in response.text


def test_xlsx_upload_and_the_standard_templates_import_cleanly(client, acme):
    xlsx = client.get("/stall/template.xlsx")
    workbook = load_workbook(io.BytesIO(xlsx.data))
    assert workbook.sheetnames == ["offers", "notes 说明"]
    notes = {row[0]: row[1:] for row in workbook["notes 说明"].iter_rows(min_row=2, values_only=True)}
    assert set(notes) >= set(STANDARD_HEADER.split(",")) and all(zh and en for zh, en in notes.values())
    page = preview_of(client, upload(client, xlsx.data, "template.xlsx")).text
    assert page.count('class="change-new"') == 3 and "= ¥0.07 / 核时" in page
    response = client.get("/stall/template.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    csv_template = response.data
    assert csv_template.decode("utf-8-sig").splitlines()[0] == STANDARD_HEADER + (
        ",cached_input_price,available_from,available_to,available_hours,off_peak_hours,off_peak_rate,"
        "cache_write_price,batch_rate,long_context_threshold,long_input_price,long_output_price")
    page = preview_of(client, upload(client, csv_template, "template.csv")).text
    assert page.count('class="change-new"') == 3


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"\x89PNG\r\n", "picture.png", "只接受 CSV 或 XLSX"),
    (b"", "empty.csv", "文件是空的"),
    ("sku,kind\n".encode("utf-16"), "utf16.csv", "不是 UTF-8 或 GBK"),
])
def test_unreadable_files_are_refused_with_a_reason(client, acme, data, name, message):
    response = upload(client, data, name)
    assert response.status_code == 400 and message in response.text


def test_too_many_rows_is_refused(app, client, acme):
    app.config["UPLOAD_MAX_ROWS"] = 2
    try:
        response = upload(client, gbk_sheet([GOOD, BAD, GOOD.replace("g1", "g3")]))
    finally:
        app.config["UPLOAD_MAX_ROWS"] = 100_000
    assert response.status_code == 400 and "超过上限 2 行" in response.text


def test_on_sqlite_a_sheet_above_its_row_cap_is_refused_and_postgresql_named(app, client, acme, monkeypatch):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the cap is SQLite's: its one write lock is held while a sheet's rows are written")
    monkeypatch.setitem(app.config, "UPLOAD_SQLITE_MAX_ROWS", 2)
    response = upload(client, gbk_sheet([GOOD, BAD, GOOD.replace("g1", "g3")]))
    assert response.status_code == 400
    assert "表格有 3 行" in response.text and "最多导入 2 行" in response.text and "PostgreSQL" in response.text
    assert db.session.scalar(select(func.count(ImportJob.id))) == 0


def test_over_size_upload_gets_a_clear_413_page(app, client, acme):
    limit = app.config["MAX_CONTENT_LENGTH"]
    # A raw body (werkzeug's multipart encoder would spool it to a temp file it never closes).
    body = b"--b\r\nContent-Disposition: form-data; name=\"sheet\"; filename=\"big.csv\"\r\n\r\n" + b"x" * limit
    response = client.post("/stall/upload", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413
    assert "文件过大" in response.text and "10 MB" in response.text  # in the page language (Chinese by default)


def test_over_size_upload_on_a_real_server_is_answered_not_reset(app, acme):
    """Through a real socket: the client finishes sending and reads our 413 page."""
    import requests
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        session = requests.Session()
        base = f"http://127.0.0.1:{server.server_port}"
        # Log in through the real form (CSRF is off in tests).
        session.post(f"{base}/login", data={"email": "acme@example.com", "password": "correct horse battery"})
        body = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1024 * 1024)
        response = session.post(f"{base}/stall/upload", files={"sheet": ("big.csv", body)}, timeout=30)
        assert response.status_code == 413
        assert "文件过大" in response.text
        session.close()
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


def test_job_status_json_and_history(client, acme):
    upload(client, gbk_sheet([GOOD]))
    upload_id = latest_upload_id()
    response = client.post(f"/stall/uploads/{upload_id}/apply")
    finish_jobs()
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    status = client.get(f"/stall/jobs/{job_id}.json").json
    assert (status["status"], status["processed"], status["summary"]["created"]) == ("done", 1, 1)
    page = client.get(f"/stall/jobs/{job_id}").text
    assert "<progress" in page and 'http-equiv="refresh"' not in page
    history = client.get("/stall/imports").text
    assert "价格表.csv" in history and "acme" in history and "已导入" in history
