"""The 404 page leads back (home, search, the page before); /favicon.ico is served."""

import re


def test_404_has_links_back(client):
    page = client.get("/no-such-page", headers={"Referer": "http://localhost/offers?q=4090"})
    html = page.get_data(as_text=True)
    assert page.status_code == 404 and "页面不存在" in html
    links = re.findall(r'<p class="error-links">(.*?)</p>', html, re.S)[0]
    assert 'href="/"' in links and 'href="/offers"' in links
    assert 'href="/offers?q=4090"' in links and "返回上一页" in links


def test_no_back_link_to_another_site(client):
    html = client.get("/no-such-page", headers={"Referer": "https://evil.example/x"}).get_data(as_text=True)
    assert "evil.example" not in html and "返回上一页" not in html
    assert 'href="/offers"' in html


def test_favicon(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
    with client.get("/static/favicon.svg") as static:
        assert static.status_code == 200
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/").get_data(as_text=True)
