"""Symbols: the watchlist as a table. Keys post requests; the app answers with facts.

``rows`` (the watchlist), ``schedule`` (next run / last result per symbol, empty when scheduled
sync is off), ``connecting``, ``interval`` and ``health`` are the app's state, bound down. Up/down
colours come from the theme variables.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.theme import Theme
from textual.widgets import DataTable, Static

from tui_market.models.live import EMPTY_SNAPSHOT, LiveSnapshot
from tui_market.queries.list_symbols import SymbolRow
from tui_market.tui.messages import (
    OpenHistory,
    SymbolRemoveRequested,
    SyncAllRequested,
    SyncRequested,
)
from tui_market.tui.schedule import ScheduleInfo
from tui_market.tui.screens import symbols_format as fmt
from tui_market.tui.screens.alert_dialog import last_price, open_alert_dialog
from tui_market.tui.screens.confirm import ConfirmScreen
from tui_market.tui.screens.mode import ModeScreen

COLUMNS = ("Symbol", "Description", "Last", "Change", "Change %", "Volume", "Status", "Last sync")
SCHEDULE_COLUMNS = ("Next sync", "Last result")
LIVE_COLUMNS = tuple(COLUMNS.index(c) for c in ("Last", "Change", "Change %", "Status"))
EMPTY_TEXT = "The watchlist is empty: press a to add a symbol (e.g. NASDAQ:AAPL)."
CONNECTING_TEXT = "connecting to the database…"


class SymbolsScreen(ModeScreen):
    MODE = "symbols"
    BINDINGS = [
        Binding("a", "app.add_symbol", "Add", id="symbols.add"),
        Binding("d,delete", "remove", "Remove", id="symbols.remove"),
        Binding("enter", "open", "History", id="symbols.open"),
        Binding("s", "sync", "Sync", id="symbols.sync"),
        Binding("S", "sync_all", "Sync all", id="symbols.sync_all"),
        Binding("p", "app.toggle_schedule", "Pause jobs", id="symbols.pause_jobs"),
        Binding("A", "alert", "Alert", id="symbols.alert"),
    ]
    _missed_quotes = False  # live quotes arrived while hidden: refill on resume

    rows: reactive[list[SymbolRow]] = reactive(list, always_update=True, init=False)
    schedule: reactive[dict[str, ScheduleInfo]] = reactive(dict, always_update=True, init=False)
    connecting: reactive[bool] = reactive(False, init=False)
    snapshot: reactive[LiveSnapshot] = reactive(EMPTY_SNAPSHOT, init=False)

    def compose(self) -> ComposeResult:
        yield from self.frame()
        table: DataTable[str | Text] = DataTable(
            id="watchlist", cursor_type="row", zebra_stripes=True
        )
        yield table
        yield Static(self._empty_text(), id="watchlist-empty")

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self.set_interval(30, self._fill, name="refresh sync ages")
        self._fill()

    def _theme_changed(self, theme: Theme) -> None:
        self._fill()

    def watch_rows(self) -> None:
        self._fill()

    def watch_schedule(self) -> None:
        self._fill()

    def watch_connecting(self) -> None:
        self._fill()

    def watch_snapshot(self, old: LiveSnapshot, new: LiveSnapshot) -> None:
        # Live prices move the Last/Change/Status cells of the rows whose quote changed. Only
        # while this screen is shown: behind the Ticker at 10 snapshots a second, refilling an
        # unseen table cost the live path a third of its CPU; it is caught up on resume.
        if not self.is_current:
            self._missed_quotes = True
            return
        changed = [r for r in self.rows if old.quotes.get(r.symbol) != new.quotes.get(r.symbol)]
        table: DataTable[str | Text] = self.query_one("#watchlist", DataTable)
        now = self.clock()
        for row in changed:
            if row.symbol not in table.rows:
                self._fill()
                return
            cells = self._cells(row, now)
            for index in LIVE_COLUMNS:
                table.update_cell(row.symbol, COLUMNS[index], cells[index], update_width=True)

    def on_screen_resume(self) -> None:
        if self._missed_quotes:
            self._fill()

    # ---- painting -----------------------------------------------------------------------------
    def _coloured(self, text: str, value: float | None) -> Text:
        colour = self.app.theme_variables.get(f"price-{fmt.direction(value)}", "")
        return Text(text, style=colour, justify="right")

    def _cells(self, row: SymbolRow, now: datetime) -> list[str | Text]:
        sync = fmt.age(row.last_sync, now)
        if row.sync_status == "error":
            colour = self.app.theme_variables.get("error", "")
            sync_cell: str | Text = Text(f"error {sync}", style=colour)
        else:
            sync_cell = sync
        last, change, pct, status = fmt.live_figures(row, self.snapshot.quotes.get(row.symbol))
        cells: list[str | Text] = [
            Text(row.symbol, style="bold"),
            row.description,
            Text(fmt.price(last, row.info), justify="right"),
            self._coloured(fmt.signed(change, info=row.info), change),
            self._coloured(fmt.percent(pct), pct),
            Text(fmt.volume(row.volume, row.info), justify="right"),
            status,
            sync_cell,
        ]
        if self.schedule:
            info = self.schedule.get(row.symbol)
            if info is None:
                cells += ["—", ""]
            else:
                cells += [
                    "paused" if info.paused else fmt.until(info.next_run, now),
                    info.last_result,
                ]
        return cells

    def _fill(self) -> None:
        if not self.is_mounted:
            return
        self._missed_quotes = False
        table: DataTable[str | Text] = self.query_one("#watchlist", DataTable)
        columns = COLUMNS + (SCHEDULE_COLUMNS if self.schedule else ())
        selected = self.selected_symbol()
        if tuple(str(c.label) for c in table.columns.values()) != columns:
            table.clear(columns=True)
            for name in columns:
                table.add_column(name, key=name)
        else:
            table.clear()
        now = self.clock()
        for row in self.rows:
            table.add_row(*self._cells(row, now), key=row.symbol)
        if selected is not None and selected in table.rows:
            table.move_cursor(row=table.get_row_index(selected), animate=False)
        empty = self.query_one("#watchlist-empty", Static)
        empty.display = not self.rows
        empty.update(self._empty_text())

    def _empty_text(self) -> str:
        return CONNECTING_TEXT if self.connecting else EMPTY_TEXT

    def selected_symbol(self) -> str | None:
        table: DataTable[str | Text] = self.query_one("#watchlist", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return key.value

    # ---- actions: post requests ---------------------------------------------------------------
    def action_remove(self) -> None:
        symbol = self.selected_symbol()
        if symbol is None:
            self.notify("Nothing to remove: the watchlist is empty.", severity="warning")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.post_message(SymbolRemoveRequested(symbol))

        question = f"Remove {symbol} from the watchlist? (its stored bars are kept)"
        self.app.push_screen(ConfirmScreen(question, yes="Remove"), confirmed)

    def action_alert(self) -> None:
        symbol = self.selected_symbol()
        last = last_price(symbol, self.rows, self.snapshot.quotes) if symbol else None
        open_alert_dialog(self, symbol, last)

    @on(DataTable.RowSelected, "#watchlist")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        symbol = self.selected_symbol()
        if symbol is not None:
            self.post_message(OpenHistory(symbol))

    def action_sync(self) -> None:
        symbol = self.selected_symbol()
        if symbol is not None:
            self.post_message(SyncRequested(symbol, self.interval))

    def action_sync_all(self) -> None:
        self.post_message(SyncAllRequested(self.interval))
