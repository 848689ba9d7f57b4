"""Translations: every area's Chinese catalog is complete, and one English phrase means one Chinese phrase."""

from collections import defaultdict

from babel.messages.pofile import read_po

from web.locale import I18N_DIR


def _catalogs(language: str):
    for path in sorted(I18N_DIR.glob(f"*/{language}/LC_MESSAGES/messages.po")):
        with path.open("rb") as f:
            yield path.parts[-4], read_po(f)


def test_every_chinese_entry_is_translated():
    missing = [(area, m.id) for area, catalog in _catalogs("zh") for m in catalog if m.id and not m.string]
    assert missing == []


def test_one_msgid_has_one_chinese_translation_across_areas():
    # Catalogs are merged at run time: the same msgid translated two ways would show one area the other's words.
    translations = defaultdict(set)
    for _area, catalog in _catalogs("zh"):
        for message in catalog:
            if message.id:
                translations[str(message.id)].add(str(message.string))
    clashes = {msgid: found for msgid, found in translations.items() if len(found) > 1}
    assert clashes == {}


def test_pages_switch_language(client):
    assert "页面不存在" in client.get("/nowhere").get_data(as_text=True)
    assert "Page not found" in client.get("/nowhere?lang=en").get_data(as_text=True)
