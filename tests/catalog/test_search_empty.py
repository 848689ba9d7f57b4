"""A text search on an empty catalog (a fresh install) finds nothing; it used to be a 500."""


def test_text_search_on_an_empty_index_finds_nothing(client):
    response = client.get("/api/v1/offers?q=4090")
    assert response.status_code == 200
    assert response.json["total"] == 0


def test_the_browse_page_with_words_on_an_empty_catalog(client):
    assert client.get("/offers?q=4090").status_code == 200
