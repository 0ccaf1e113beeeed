"""A one-line progress strip for a running sync: what is syncing, how far, how to cancel."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar


class SyncStatus(Horizontal):
    """Hidden until ``start``; ``advance`` moves the bar; ``stop`` hides it again."""

    DEFAULT_CSS = """
    SyncStatus {
        height: 1;
        display: none;
        background: $panel;
    }
    SyncStatus.-running { display: block; }
    SyncStatus > Label { width: auto; padding: 0 1; }
    SyncStatus > ProgressBar { width: 40; }
    """

    def compose(self) -> ComposeResult:
        yield Label("", id="sync-label")
        yield ProgressBar(total=None, show_eta=False, id="sync-bar")

    @property
    def running(self) -> bool:
        return self.has_class("-running")

    def start(self, text: str, total: int | None = None) -> None:
        self.add_class("-running")
        self.query_one("#sync-label", Label).update(text)
        self.query_one("#sync-bar", ProgressBar).update(total=total, progress=0)

    def advance(self, done: int, total: int, text: str) -> None:
        self.add_class("-running")
        self.query_one("#sync-label", Label).update(text)
        self.query_one("#sync-bar", ProgressBar).update(total=total, progress=done)

    def stop(self) -> None:
        self.remove_class("-running")
