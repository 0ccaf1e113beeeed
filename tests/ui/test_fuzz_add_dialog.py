"""The add dialog under nasty text, through the real app: the reason shows as typed (markup is
not parsed), enter adds nothing, the app keeps running, nothing is stored."""

from __future__ import annotations

from textual.message import Message
from textual.widgets import Input, Label

from tests.ui.conftest import app_for, settle
from tui_market.infrastructure import schema
from tui_market.infrastructure.database import Database
from tui_market.models import InvalidSymbol, SymbolRef
from tui_market.runtime import Runtime
from tui_market.tui.messages import SymbolAddRequested
from tui_market.tui.screens.add_symbol import AddSymbolScreen

NASTY = [
    "[/]",  # crashed the app: the reason quoted it and was parsed as markup (MarkupError)
    "[/foo]NASDAQ:AAPL",
    "[@click=app.quit]NASDAQ:AAPL[/]",  # would have been a live link running app.quit
    "[b]nasdaq:aapl",
    '{"$gt": ""}',
    "nasdaq:aapl\x1b[31m",
    "CME:ES\u0661!",
    "\u202enasdaq:aapl",
    "NASDAQ:" + "A" * 5000,
    "NASDAQ:AAPL:X",
]


def reason_of(text: str) -> str:
    try:
        SymbolRef.parse(text)
    except InvalidSymbol as exc:
        return str(exc)
    raise AssertionError(f"{text!r} is valid")


async def test_nasty_text_shows_its_reason_and_adds_nothing(
    runtime: Runtime, database: Database
) -> None:
    seen: list[Message] = []
    app = app_for(runtime, live=False)
    async with app.run_test(size=(120, 36), message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("a")
        screen = app.screen
        assert isinstance(screen, AddSymbolScreen)
        reason = screen.query_one("#add-reason", Label)
        await pilot.press(*"[/]")  # typed, key by key
        await pilot.pause()
        assert str(reason.content) == reason_of("[/]")
        for text in NASTY:
            screen.query_one(Input).value = text
            await pilot.pause()
            assert str(reason.content) == reason_of(text), text
            assert reason.has_class("-invalid") and "\n" not in str(reason.content)
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is screen, text  # still open: nothing submitted
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running
    assert not [m for m in seen if isinstance(m, SymbolAddRequested)]
    assert await database.get_collection(schema.SYMBOLS).count_documents({}) == 0


async def test_search_results_are_shown_as_plain_text(runtime: Runtime) -> None:
    """A provider's result text is not ours either: '[/]' in a description is shown as is."""
    from tui_market.tui.messages import SymbolSearchResults

    app = app_for(runtime, live=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        screen = app.screen
        screen.query_one(Input).value = "NASDAQ:AA"
        await pilot.pause()
        screen.post_message(SymbolSearchResults("NASDAQ:AA", [("NASDAQ:AAPL", "[/] Apple [b]")]))
        await pilot.pause()
        await pilot.pause()
        assert app.is_running
        options = screen.query_one("#add-results")
        assert options.display
        assert "[/] Apple [b]" in str(options.get_option_at_index(0).prompt)  # type: ignore[attr-defined]
        await pilot.press("escape")
