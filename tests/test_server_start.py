"""The embedded server's entry module: the start-scan fix gives secantus's own answer, the server
keeps every document across restarts with it, and a slow start is waited for while it beats."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from pymongo import MongoClient
from secantus import storage as st

from tui_market.infrastructure.embedded import EmbeddedServer
from tui_market.infrastructure.secantus_server import patch_start_scan, scan_max_record_id
from tui_market.infrastructure.server_process import SERVER_MODULE

pytestmark = pytest.mark.skipif(
    "TUI_MARKET_TEST_MONGODB_URI" in os.environ, reason="embedded-server tests use secantus"
)
COLLECTIONS = [(f"db{d}", f"c{c}") for d in range(3) for c in range(12)]


def _fill(uri: str) -> dict[tuple[str, str], int]:
    """Documents in 36 collections (several share a shard), some deleted: counts kept."""
    client: MongoClient = MongoClient(uri)
    counts = {}
    try:
        for n, (db, coll) in enumerate(COLLECTIONS):
            docs = [{"_id": i, "n": n} for i in range(5 + n % 7)]
            client[db][coll].insert_many(docs)
            client[db][coll].delete_many({"_id": {"$in": [0, len(docs) - 1]}})  # ends of the range
            counts[(db, coll)] = len(docs) - 2
    finally:
        client.close()
    return counts


def test_seek_scan_gives_the_original_answer(data_dir: Path) -> None:
    server = EmbeddedServer(data_dir)
    _fill(server.acquire())
    assert server.release()
    shards = {st._doc_table_for(db, coll) for db, coll in COLLECTIONS}
    assert len(shards) < len(COLLECTIONS)  # the seek must cross collections within a shard
    storage = st.Storage(str(data_dir / "db"), ttl_sweep_seconds=0)
    try:
        original = st.Storage._scan_max_nat_seq(storage)
        assert original > len(COLLECTIONS)
        assert scan_max_record_id(storage) == original
    finally:
        storage.close()


def test_patch_replaces_the_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(st.Storage, "_scan_max_nat_seq", st.Storage._scan_max_nat_seq)
    assert patch_start_scan() is True
    assert st.Storage._scan_max_nat_seq is scan_max_record_id


def test_patched_server_keeps_every_document_across_restarts(data_dir: Path) -> None:
    server = EmbeddedServer(data_dir)
    counts = _fill(server.acquire())
    pid = int((data_dir / "server.json").read_text().split('"pid": ')[1].split(",")[0])
    assert SERVER_MODULE.encode() in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert server.release()
    again = EmbeddedServer(data_dir)
    client: MongoClient = MongoClient(again.acquire())
    try:
        # New documents after the reopen get RecordIds past every stored one: none is lost.
        for db, coll in COLLECTIONS:
            client[db][coll].insert_many([{"_id": f"new{i}"} for i in range(3)])
        for (db, coll), count in counts.items():
            assert client[db][coll].count_documents({}) == count + 3
    finally:
        client.close()
        again.release()
    assert not (data_dir / "server.starting").exists()  # the heartbeat ended with the start


def test_start_slower_than_the_timeout_is_waited_for_while_it_beats(data_dir: Path) -> None:
    timeout = 0.75  # below the server's start here: imports and storage open take ~1 s
    server = EmbeddedServer(data_dir, start_timeout=timeout)
    began = time.monotonic()
    uri = server.acquire()
    took = time.monotonic() - began
    try:
        client: MongoClient = MongoClient(uri)
        assert client.admin.command("ping")["ok"] == 1
        client.close()
    finally:
        server.release()
    if took <= timeout:
        pytest.skip(f"the server answered in {took:.2f} s, within the timeout: nothing shown")
