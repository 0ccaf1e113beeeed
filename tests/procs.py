"""Finding embedded-server processes from /proc (for tests that check none is left behind)."""

from __future__ import annotations

from pathlib import Path

from tui_market.infrastructure.server_process import SERVER_MODULE


def server_pids(data_dir: Path) -> list[int]:
    """Pids of secantus processes whose storage is ``data_dir/db`` (from /proc)."""
    storage = str(data_dir / "db")
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ours = SERVER_MODULE.encode() in argv or b"secantus" in argv
        if ours and storage.encode() in argv:
            found.append(int(entry.name))
    return found
