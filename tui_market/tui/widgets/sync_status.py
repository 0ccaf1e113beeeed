"""A one-line strip for a sync the History screen asked for: what is syncing, how far, how to
cancel, and the one notification of how it ended.

The strip is the asker: it posts the request with itself as ``asker``, so the app's answers
(``SyncProgress``, ``SyncFinished``, ``SyncFailed``) come back here and nowhere else.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Label, ProgressBar

from tui_market.tui.messages import (
    SyncAllRequested,
    SyncFailed,
    SyncFinished,
    SyncProgress,
    SyncRequested,
)
from tui_market.tui.routes import sync_notice


class SyncStatus(Horizontal):
    """Hidden until a sync runs; ``sync``/``sync_all`` start one, ``cancel`` stops a sync-all
    after the symbol in flight."""

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

    class Synced(Message):
        """A sync this strip asked for stored ``symbols``' bars: their owner reads them again."""

        def __init__(self, symbols: set[str]) -> None:
            super().__init__()
            self.symbols = symbols

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.running_all: SyncAllRequested | None = None
        self.total = 0

    def compose(self) -> ComposeResult:
        yield Label("", id="sync-label")
        yield ProgressBar(total=None, show_eta=False, id="sync-bar")

    @property
    def running(self) -> bool:
        return self.has_class("-running")

    def sync(self, request: SyncRequested) -> None:
        request.asker = self
        self._show(f"syncing {request.symbol} {request.interval.value}…", None, 0)
        self.post_message(request)

    def sync_all(self, request: SyncAllRequested) -> None:
        request.asker = self
        if self.running_all is not None:
            self.running_all.cancel.set()  # the app's exclusive worker replaces it too
        self.running_all, self.total = request, 0
        self._show(f"sync all {request.interval.value}…  (esc/c: cancel)", None, 0)
        self.post_message(request)

    def cancel(self) -> bool:
        """Stop the running sync-all after its current symbol; False when none runs."""
        if self.running_all is None or self.running_all.cancel.is_set():
            return False
        self.running_all.cancel.set()
        return True

    def _show(self, text: str, total: int | None, done: int) -> None:
        self.add_class("-running")
        self.query_one("#sync-label", Label).update(text)
        self.query_one("#sync-bar", ProgressBar).update(total=total, progress=done)

    def _stop(self) -> None:
        self.running_all = None
        self.remove_class("-running")

    @on(SyncProgress)
    def _progress(self, fact: SyncProgress) -> None:
        self.total = fact.total
        text = f"sync all: {fact.done}/{fact.total} ({fact.symbol})  (esc/c: cancel)"
        self._show(text, fact.total, fact.done)

    @on(SyncFinished)
    def _finished(self, fact: SyncFinished) -> None:
        self._stop()
        notice = sync_notice(fact)
        self.notify(notice.text, title=notice.title, severity=notice.severity)
        self.post_message(self.Synced({o.symbol for o in fact.outcomes if o.result is not None}))

    @on(SyncFailed)
    def _failed(self, fact: SyncFailed) -> None:
        self._stop()
        notice = sync_notice(fact)
        self.notify(notice.text, title=notice.title, severity=notice.severity)
