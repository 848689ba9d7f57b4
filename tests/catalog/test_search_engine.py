"""The text engines behind catalog.search_engine.TextEngine, each held to the same contract."""

import time

import numpy as np
import pytest

from catalog.search_engine import make_engine
from catalog.search_service import service_for
from catalog.search_text import signature
from extensions import db

ENGINES = ["whoosh", "tantivy"]


@pytest.fixture(params=ENGINES)
def engine(request, tmp_path):
    eng = make_engine(request.param, tmp_path / "index")
    yield eng
    eng.close()


def ids(array: np.ndarray) -> list[int]:
    return sorted(int(i) for i in array)


DOCS = [(1, ["4090", "g:rtx-4090", "r:cn-hangzhou", "杭州"]), (2, ["a100", "g:a100-80gb", "北京"]),
        (3, ["4090", "g:rtx-4090", "北京", "裸金属"])]


def test_finds_offers_holding_a_term_of_every_group(engine):
    assert engine.upsert(DOCS) == 3
    assert ids(engine.query([["4090"]])) == [1, 3]
    assert ids(engine.query([["4090"], ["北京"]])) == [3]
    assert ids(engine.query([["a100", "杭州"]])) == [1, 2]
    assert ids(engine.query([["h100"]])) == []
    assert engine.knows("裸金属") and not engine.knows("裸")


def test_a_changed_offer_is_rewritten_and_an_unchanged_one_is_not(engine):
    engine.upsert(DOCS)
    assert engine.upsert(DOCS) == 0
    assert engine.upsert([(1, ["h100", "g:h100-sxm"]), DOCS[1]]) == 1
    assert ids(engine.query([["4090"]])) == [3]
    assert ids(engine.query([["h100"]])) == [1]
    assert engine.signatures() == {1: signature(["h100", "g:h100-sxm"]), 2: signature(DOCS[1][1]),
                                   3: signature(DOCS[2][1])}


def test_removed_offers_are_gone(engine):
    engine.upsert(DOCS)
    assert ids(engine.query([["4090"]])) == [1, 3]  # and now remembered
    engine.remove([1, 99])
    assert ids(engine.query([["4090"]])) == [3]
    assert set(engine.signatures()) == {2, 3}


def test_rebuild_replaces_everything_at_once(engine, tmp_path):
    engine.upsert(DOCS)
    assert engine.rebuild([(7, ["h20"]), (8, ["h20", "北京"])]) == 2
    assert ids(engine.query([["h20"]])) == [7, 8]
    assert ids(engine.query([["4090"]])) == []
    assert len(list((tmp_path / "index").glob("gen-*"))) == 1  # the old generation is deleted


def test_a_failed_rebuild_keeps_the_live_index(engine):
    engine.upsert(DOCS)

    def broken():
        yield 9, ["h20"]
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        engine.rebuild(broken())
    assert ids(engine.query([["4090"]])) == [1, 3]


def test_another_process_sees_changes(engine, tmp_path):
    other = make_engine("tantivy" if type(engine).__name__.startswith("Tantivy") else "whoosh",
                        tmp_path / "index")
    engine.upsert(DOCS)
    assert ids(other.query([["4090"]])) == [1, 3]
    engine.upsert([(1, ["h100"])])
    time.sleep(other.REFRESH_SECONDS + 0.05)
    assert ids(other.query([["4090"]])) == [3]
    engine.rebuild([(5, ["4090"])])
    time.sleep(other.REFRESH_SECONDS + 0.05)
    assert ids(other.query([["4090"]])) == [5]
    other.close()


def test_both_engines_find_the_same_seed_offers(app, seeded, tmp_path):
    service = service_for(db.engine)
    with service.db_engine.connect() as conn:
        docs = list(service.docs(conn))
    engines = {name: make_engine(name, tmp_path / name) for name in ENGINES}
    for eng in engines.values():
        assert eng.rebuild(docs) == len(docs)
    for text in ["ascend 910b", "华东", "a100 80g 北京 包月", "deepseek", "4090", "l40s 竞价", "qwen", "云服务器",
                 "4090 杭州"]:
        groups = service.parse(text).groups
        found = {name: ids(eng.query(groups)) for name, eng in engines.items()}
        assert found["whoosh"] == found["tantivy"], text
        assert found["whoosh"], text  # every one of these finds some seed offer
    for eng in engines.values():
        eng.close()


def test_a_whoosh_index_of_the_old_layout_asks_for_a_reindex(tmp_path):
    from whoosh import index
    from whoosh.fields import ID, KEYWORD, STORED, Schema

    old = tmp_path / "index" / "gen-old"
    old.mkdir(parents=True)
    ix = index.create_in(str(old), Schema(key=ID(stored=True, unique=True), sig=STORED(),
                                          terms=KEYWORD(lowercase=False, commas=False, scorable=True)))
    ix.close()
    (tmp_path / "index" / "current").symlink_to("gen-old")
    engine = make_engine("whoosh", tmp_path / "index")
    with pytest.raises(RuntimeError, match="flask reindex"):
        engine.upsert(DOCS)
    engine.rebuild(DOCS)
    assert engine.upsert([(1, ["h100"])]) == 1
    assert ids(engine.query([["4090"]])) == [3]
    engine.close()
