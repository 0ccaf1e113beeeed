"""Database: the async PyMongo client, journaled collections and start-up indexes."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import PyMongoError
from pymongo.write_concern import WriteConcern

from tui_market.errors import DatabaseUnavailable
from tui_market.infrastructure import schema
from tui_market.infrastructure.uri_text import display_host, mask_uri

__all__ = ["Database", "display_host", "mask_uri"]
log = logging.getLogger(__name__)


class Database:
    """One MongoDB database. Handlers call ``get_collection`` and do their own queries."""

    def __init__(self, client: AsyncMongoClient, name: str, *, embedded: bool, uri: str) -> None:
        self.client = client
        self.name = name
        self.embedded = embedded
        self.uri = uri
        self.ping_error = ""  # why the last ping failed
        self._retired: set[asyncio.Task[None]] = set()  # old clients closing (``rebind``)
        self._db = client.get_database(name, write_concern=WriteConcern(w=1, j=True))

    @staticmethod
    def _client(uri: str, timeout: float) -> AsyncMongoClient:
        ms = int(timeout * 1000)
        return AsyncMongoClient(
            uri, tz_aware=True, serverSelectionTimeoutMS=ms, connectTimeoutMS=ms
        )

    @classmethod
    async def connect(
        cls, uri: str, name: str, *, embedded: bool = False, timeout: float = 5.0
    ) -> Database:
        client = cls._client(uri, timeout)
        database = cls(client, name, embedded=embedded, uri=uri)
        try:
            await client.admin.command("ping")
            await database.ensure_indexes()
        except PyMongoError as exc:
            log.error("cannot reach MongoDB at %s: %s", mask_uri(uri), exc)
            await client.close()
            raise DatabaseUnavailable(
                f"cannot reach MongoDB at {display_host(uri)}: {exc.__class__.__name__}"
            ) from exc
        return database

    def get_collection(self, name: str) -> AsyncCollection[dict[str, Any]]:
        return self._db.get_collection(name)

    async def ensure_indexes(self) -> None:
        """Bars are keyed by ``_id`` (symbol|interval|open time): that is their unique index."""
        await self.get_collection(schema.SYMBOLS).create_index([("position", ASCENDING)])

    def rebind(self, uri: str) -> None:
        """Point at ``uri`` (the embedded server came back on another port): a new client,
        same timeouts. Collections taken before belong to the old client: rebuild their
        holders (``Bus.rebind``)."""
        old = self.client
        self.client = self._client(uri, old.options.server_selection_timeout)
        self.uri = uri
        self._db = self.client.get_database(self.name, write_concern=self._db.write_concern)
        log.warning("database re-pointed to %s", mask_uri(uri))
        # In the background: closing waits for its monitor, which may hang on the old port.
        closing = asyncio.create_task(old.close(), name="close the old MongoDB client")
        self._retired.add(closing)
        closing.add_done_callback(self._retired.discard)

    async def ping(self, timeout: float | None = None) -> bool:
        """True when the server answers; False after ``timeout`` seconds (default: the
        client's server selection timeout) or on any driver error."""
        try:
            async with asyncio.timeout(timeout):
                await self.client.admin.command("ping")
        except TimeoutError:
            self.ping_error = f"no answer within {timeout or 0:.1f} s"
        except PyMongoError as exc:
            self.ping_error = f"{exc.__class__.__name__}: {exc}"
        else:
            self.ping_error = ""
            return True
        log.debug("database ping failed: %s", self.ping_error)  # polled: callers log changes
        return False

    def describe(self) -> str:
        kind = "embedded" if self.embedded else "remote"
        return f"{kind} {display_host(self.uri)}"

    async def drop(self) -> None:
        await self.client.drop_database(self.name)

    async def close(self) -> None:
        await self.client.close()
        if self._retired:
            await asyncio.wait(self._retired)
