"""Snapshot of the alert dialog (``A`` on the first symbol): the last price prefilled, the kind
picker, the reason line, the re-arm box; and the same dialog with a bad level typed (the reason
in the error colour). Deterministic like the other snapshots (see test_symbols_snapshots)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.pilot import Pilot

from tests.ui.conftest import until
from tests.ui.test_symbols_snapshots import SIZE, ready, seeded_database, snapshot_app
from tui_market.tui.screens.alert_dialog import AlertScreen


@pytest.fixture
def seeded(mongo_uri: str) -> Iterator[tuple[str, str]]:
    with seeded_database(mongo_uri) as where:
        yield where


async def dialog_open(pilot: Pilot[None]) -> None:
    await ready(pilot)
    await pilot.press("A")
    await until(pilot, lambda: isinstance(pilot.app.screen, AlertScreen), what="the dialog")
    await pilot.pause()


def test_alert_dialog(snap_compare, seeded) -> None:  # type: ignore[no-untyped-def]
    app = snapshot_app(seeded, "market-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=dialog_open)


def test_alert_dialog_bad_level(snap_compare, seeded) -> None:  # type: ignore[no-untyped-def]
    async def typed(pilot: Pilot[None]) -> None:
        await dialog_open(pilot)
        await pilot.press("end", *["backspace"] * 12, *"12x")
        await pilot.pause()

    app = snapshot_app(seeded, "market-dark")
    assert snap_compare(app, terminal_size=SIZE, run_before=typed)
