"""The live service's clock: a round every ``every`` seconds closes the bars whose time is up
with no trade to close them.

A round that wakes late means the event loop stalled (a long paint, a slow step). Trades that
came meanwhile are still in the socket then, a few loop steps from the service, while the
round is due at once: it is skipped, and the next one runs. Only one is skipped in a row, so a
loop that is busy all the time still gets its bars closed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def clock_rounds(every: float, round_: Callable[[], None]) -> None:
    """Call ``round_`` every ``every`` seconds until cancelled (see above for a late wake)."""
    loop = asyncio.get_running_loop()
    skipped = False
    while True:
        due = loop.time() + every
        await asyncio.sleep(every)
        if loop.time() - due > every and not skipped:
            skipped = True
            continue
        skipped = False
        round_()
