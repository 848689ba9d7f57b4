"""The outbox read per node: every node's index applies every change, and pruning keeps what a node still needs."""

from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select, text, update

from catalog import outbox
from catalog.models import Offer
from catalog.outbox import GAP_SECONDS, IndexOutbox, OutboxConsumer, Position, prune
from catalog.registry import default_registries
from catalog.search_engine import make_engine
from catalog.search_service import SearchService
from catalog.snapshot import Snapshot
from extensions import db
from tests.catalog.factories import gpu_offer

DAY = timedelta(hours=24)


@pytest.fixture()
def node_b(app, tmp_path):
    """A second node on the same database: its own index folder and name, drained by hand."""
    text = make_engine("whoosh", tmp_path / "node-b")
    text.REFRESH_SECONDS = 0  # read what was just written, not a reader up to 0.2 s old
    return SearchService(db.engine, text, default_registries(), drain_mode="off", node="node-b")


def finds(node, word: str) -> list[int]:
    """The offers a node's index finds by one word."""
    return sorted(node.text.query([[word]]).tolist())


def retitle(offer, word: str) -> None:
    offer.title = f"RTX 4090 {word}"
    db.session.commit()


def rows() -> int:
    return db.session.scalar(select(func.count()).select_from(IndexOutbox))


def seen(name: str, ago: timedelta) -> None:
    db.session.execute(update(OutboxConsumer).where(OutboxConsumer.name == name)
                       .values(seen_at=outbox.utcnow() - ago))
    db.session.commit()


def test_a_change_through_one_node_reaches_every_nodes_index(app, node_b):
    node_a = app.extensions["search"]
    node_b.reindex()
    offer = gpu_offer()
    db.session.commit()
    retitle(offer, "zqalpha")
    assert node_a.drainer.pending() == 0
    assert finds(node_b, "zqalpha") == [] and node_b.drainer.pending() == 2  # the insert and the retitle
    assert node_b.drainer.drain() == 2
    assert finds(node_b, "zqalpha") == [offer.id] and node_b.check() == []
    # Node A drained first; that did not mark the change done for node B (the old shared flag did).
    retitle(offer, "zqbeta")
    node_b.drainer.drain()
    assert finds(node_b, "zqbeta") == [offer.id] and finds(node_b, "zqalpha") == []


def test_a_stopped_node_blocks_pruning_until_it_is_past_the_retention(app, node_b):
    node_b.reindex()
    offers = [gpu_offer() for _ in range(3)]
    db.session.commit()
    for n, offer in enumerate(offers * 3):
        retitle(offer, f"zqgone{n}")
    # Node B is stopped (drains nothing) but was seen an hour ago: node A prunes nothing it needs.
    seen("node-b", timedelta(hours=1))
    before = node_b.drainer.pending()
    assert prune(db.engine, DAY, keep=timedelta(0)).rows == 0
    assert node_b.drainer.pending() == before == 12
    # Rows both nodes are past go, once no younger than the keep age.
    node_b.drainer.drain()
    assert prune(db.engine, DAY, keep=timedelta(hours=1)).rows == 0
    assert prune(db.engine, DAY, keep=timedelta(0)).rows == 12 and rows() == 0

    # Away past the retention: dropped, and the rows it would need go with the next prune.
    retitle(offers[0], "zqaway7")
    seen("node-b", DAY + timedelta(minutes=1))
    done = prune(db.engine, DAY, keep=timedelta(0))
    assert done.dropped == ["node-b"] and done.rows == 1
    assert not node_b.drainer.registered()


def test_a_node_back_after_the_retention_rebuilds_its_index_from_the_database(app, node_b, runner, caplog):
    node_b.reindex()
    offer = gpu_offer()
    db.session.commit()
    seen("node-b", DAY + timedelta(minutes=1))
    retitle(offer, "zqaway7")
    prune(db.engine, DAY, keep=timedelta(0))
    assert rows() == 0  # the change node B missed is gone from the outbox

    node_b.drainer.drain()
    assert "node-b" in caplog.text and "rebuilding it from the database" in caplog.text
    assert node_b.drainer.rebuilt and node_b.drainer.registered()
    assert finds(node_b, "zqaway7") == [offer.id] and node_b.check() == []


def test_the_outbox_command_lists_each_node_and_how_far_behind_it_is(app, node_b, runner):
    node_b.reindex()
    gpu_offer()
    db.session.commit()
    result = runner.invoke(args=["outbox"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("node-b\t"))
    assert "behind 1" in line


def test_an_id_committed_after_a_higher_one_is_not_skipped():
    """Concurrent transactions commit their outbox ids out of order: the jumped-over id is read again."""
    at = Position(10)
    at.advance([11, 14], now=1000.0)  # 12 and 13 were taken by transactions not yet committed
    assert at.position == 14 and at.gaps == [[12, 13, 1000]] and at.floor() == 11
    at.advance([13], now=1001.0)
    assert at.gaps == [[12, 12, 1000]]
    at.advance([], now=1000.0 + GAP_SECONDS + 1)  # 12 never committed (rolled back)
    assert at.gaps == [] and at.floor() == 14


def test_a_late_commit_below_a_nodes_position_reaches_its_index(app, node_b):
    node_b.reindex()
    first, late = gpu_offer(), gpu_offer()
    db.session.commit()
    node_b.drainer.drain()
    top = db.session.scalar(select(func.max(IndexOutbox.id)))

    def commit_title(offer, word: str, outbox_id: int) -> None:
        # Past the write path on purpose: the test chooses the outbox ids, as concurrent commits would.
        with db.engine.begin() as conn:
            conn.execute(update(Offer.__table__).where(Offer.__table__.c.id == offer.id)
                         .values(title=f"RTX 4090 {word}"))
            conn.execute(insert(IndexOutbox.__table__).values(id=outbox_id, offer_id=offer.id, op="upsert",
                                                              created_at=outbox.utcnow()))
            if conn.dialect.name == "postgresql":  # later inserts take ids past the ones chosen here
                conn.execute(text("SELECT setval(pg_get_serial_sequence('index_outbox', 'id'), "
                                  "(SELECT max(id) FROM index_outbox))"))

    commit_title(first, "zqafter", top + 3)  # ids top+1 and top+2 are still in flight
    node_b.drainer.drain()
    assert finds(node_b, "zqafter") == [first.id]
    commit_title(late, "zqlate", top + 1)  # commits after its node went past it
    node_b.drainer.drain()
    assert finds(node_b, "zqlate") == [late.id] and node_b.check() == []


def test_a_snapshot_whose_rows_were_pruned_loads_in_full(app, node_b):
    snapshot = Snapshot(db.engine)
    offer = gpu_offer(price="1.90")
    db.session.commit()
    snapshot.refresh(force=True)
    seen_before = snapshot.last_id
    node_b.reindex()
    offer.unit_price = offer.unit_price * 2
    db.session.commit()
    gpu_offer()
    db.session.commit()
    app.extensions["search"].drainer.drain()
    node_b.drainer.drain()
    assert prune(db.engine, DAY, keep=timedelta(0)).rows >= 2
    assert rows() == 0 or db.session.scalar(select(func.min(IndexOutbox.id))) > seen_before + 1
    snapshot.refresh(force=True)
    price = snapshot.cols["unit_price"][snapshot.row_of[offer.id]]
    assert price == 3_800_000 and snapshot.live_rows().size == 2


def test_an_index_rebuilt_on_an_empty_outbox_starts_at_the_first_row_it_reads():
    """Ids below the first row are no gaps: waiting for them would hold back pruning for nothing."""
    at = Position(outbox.FROM_FIRST_ROW)
    at.advance([], now=1000.0)
    assert at.position == outbox.FROM_FIRST_ROW and at.floor() < 0  # nothing read yet: every row is needed
    at.advance([501, 503], now=1000.0)
    assert at.position == 503 and at.gaps == [[502, 502, 1000]]


def test_a_process_under_another_name_does_not_rebuild_a_registered_nodes_index(app, node_b, caplog):
    """Same folder, another NODE_NAME: a misconfigured process, not a new node (a full rebuild for nothing)."""
    node_b.reindex()
    gpu_offer()
    db.session.commit()
    stranger = SearchService(db.engine, node_b.text, default_registries(), drain_mode="off", node="node-c")
    assert stranger.drainer.drain() == 0 and stranger.drainer.rebuilt is None
    assert "belongs to node node-b" in caplog.text and not stranger.drainer.registered()
    assert node_b.drainer.drain() == 1 and node_b.check() == []  # the right name drains as before
    # `flask reindex` under the new name takes the folder over on purpose.
    stranger.reindex()
    assert stranger.drainer.registered() and stranger._owner() == "node-c"
