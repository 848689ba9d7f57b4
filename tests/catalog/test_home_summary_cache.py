"""The home page's summary is kept for a few seconds per worker: served again from memory, it renders the same."""

from offers.cli import seed_catalog


def test_the_cached_summary_renders_after_its_session_is_gone(app, client, monkeypatch):
    import catalog.pages

    seed_catalog(echo=lambda *a, **k: None)
    monkeypatch.setitem(app.config, "HOME_SUMMARY_SECONDS", 60)
    monkeypatch.setattr(catalog.pages, "_summary_cache", {})
    calls = []
    real = catalog.pages.catalog_summary
    monkeypatch.setattr(catalog.pages, "catalog_summary", lambda session: calls.append(1) or real(session))
    first = client.get("/?lang=en")
    second = client.get("/?lang=en")  # the summary's offers now belong to a closed session
    assert first.status_code == second.status_code == 200
    assert second.get_data() == first.get_data()
    assert len(calls) == 1


def test_tests_see_fresh_counts_by_default(app, client):
    assert app.config["HOME_SUMMARY_SECONDS"] == 0  # tests/app_support.py: every test sees its own data
