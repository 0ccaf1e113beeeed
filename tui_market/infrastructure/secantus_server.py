"""The embedded server's process: ``python -m tui_market.infrastructure.secantus_server ARGS``.

Runs secantus's own command line (``secantus.cli.main``, same ARGS as ``python -m secantus``)
after two things of ours:

- ``patch_start_scan()``: secantus (0.7.0b3) recovers its RecordId counter on open with
  ``Storage._scan_max_nat_seq``, which walks every stored row of every collection backwards
  although it only needs the last row of each collection (rows are keyed (db, coll, RecordId)):
  the server's start grows with the store. Ours seeks from one collection's rows to the
  previous collection's in each shard, so the start costs a few seeks per collection. Same
  answer (tested against the original on a real store); reported upstream in
  ``docs/upstream/secantus-start-scan.md``. Applied only when the table layout is the one the
  seek relies on; otherwise secantus's own scan runs, slower but right.
- a heartbeat while it starts: ``<data dir>/server.starting``, touched every ``HEARTBEAT``
  seconds, so ``spawn`` can tell a server still opening a big store from one that hangs.
  ``spawn`` deletes the file once the server answers, which ends the heartbeat.

This module imports only the standard library before secantus (its start is on the app's path).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
HEARTBEAT = 0.5  # seconds between heartbeat writes
HEARTBEAT_FILE = "server.starting"
_MIN_RECORD_ID = -(2**63)  # below every RecordId: seeks to a collection's first row
_SEEK_LAYOUT = "key_format=SSq,value_format=u"  # (db, coll, RecordId) -> document


def scan_max_record_id(storage: Any) -> int:
    """The largest RecordId in the document shards (0 if empty): the last row of each
    (db, coll) key range, found by seeking backwards from range to range."""
    import wiredtiger as wt
    from secantus import storage as st

    max_seq = 0
    for shard in range(st._DOC_SHARDS):
        cursor = storage._cursor_optional(st._doc_shard_name(shard))
        if cursor is None:
            continue  # a shard never written (secantus creates them lazily)
        cursor.reset()
        rc = cursor.prev()  # the shard's last row: its last collection's largest RecordId
        while rc == 0:
            db, coll, seq = cursor.get_key()
            max_seq = max(max_seq, int(seq))
            cursor.set_key(db, coll, _MIN_RECORD_ID)
            near = cursor.search_near()
            if near == wt.WT_NOTFOUND:
                break
            # On this collection's first row (or exactly on the bound): step before it, to
            # the previous collection's last row. Below the bound already: that is the row.
            rc = cursor.prev() if near >= 0 else 0
        cursor.reset()
    return max_seq


def patch_start_scan() -> bool:
    """Replace ``Storage._scan_max_nat_seq`` by ``scan_max_record_id``; False (and secantus's
    own scan kept) when this secantus does not have the layout the seek relies on."""
    from secantus import storage as st

    layout = getattr(st, "_DOC_SHARD_CFG", None)
    needed = ("_DOC_SHARDS", "_doc_shard_name")
    method = getattr(st.Storage, "_scan_max_nat_seq", None)
    if layout != _SEEK_LAYOUT or method is None or not all(hasattr(st, n) for n in needed):
        log.warning("secantus layout %r: keeping its own start scan (slow on big stores)", layout)
        return False
    st.Storage._scan_max_nat_seq = scan_max_record_id
    return True


def _beat(path: Path) -> None:
    try:
        path.write_text(f"{os.getpid()}\n")
        while True:
            time.sleep(HEARTBEAT)
            os.utime(path)  # FileNotFoundError once spawn saw the server answer
    except FileNotFoundError:
        return
    except OSError as exc:  # cannot write the data dir: spawn's plain timeout applies
        log.warning("heartbeat %s stopped: %s", path, exc)


def main(argv: list[str] | None = None) -> int:
    beat = threading.Thread(target=_beat, args=(Path.cwd() / HEARTBEAT_FILE,), daemon=True)
    beat.start()
    patch_start_scan()
    from secantus.cli import main as secantus_main

    code: int = secantus_main(argv)
    return code


if __name__ == "__main__":
    sys.exit(main())
