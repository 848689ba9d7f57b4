import io

from tests.stall_support import finish_jobs, gbk_sheet, log_in, make_vendor_member


def test_smoke(client):
    user, vendor = make_vendor_member("a@example.com", "acme")
    log_in(client, user)
    r = client.get("/stall/")
    assert r.status_code == 200, r.text
    r = client.get("/stall/offers/new")
    assert r.status_code == 200, r.text
    r = client.post("/stall/offers/new", data={"kind": "gpu", "sku": "x1", "gpu_model": "RTX 4090", "gpu_count": "1",
                                               "region": "cn-hangzhou", "billing": "on_demand", "price": "1.9",
                                               "currency": "CNY", "price_unit": "card_hour"})
    assert r.status_code == 302, r.text
    r = client.post("/stall/offers/preview", data={"kind": "cpu", "vcpus": "8", "region": "cn-hangzhou", "billing": "monthly",
                                                   "price": "408.8", "currency": "CNY", "price_unit": "month"})
    print(r.json)
    data = gbk_sheet(["g1,显卡,4090 单卡,杭州,按量,RTX 4090,1,1.90,人民币,元/卡时,5", "g2,显卡,坏行,杭州,按量,RTX 9999,1,1.90,人民币,元/卡时,5"])
    r = client.post("/stall/upload", data={"sheet": (io.BytesIO(data), "价格.csv")}, content_type="multipart/form-data")
    print(r.status_code, r.headers.get("Location"), r.text[:2000] if r.status_code != 302 else "")
    finish_jobs()
    r = client.get(r.headers["Location"], follow_redirects=True)
    print(r.status_code, r.text[-6000:])
