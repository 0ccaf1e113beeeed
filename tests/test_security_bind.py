"""Security: the embedded server listens on 127.0.0.1 only.

Every other address of this machine (another loopback address, ``::1``, each interface's
IPv4 and IPv6 address) is probed with a TCP connect to the server's port: each must be
refused. Each probe is first shown to work: a listener bound to the wildcard address (what a
server bound to ``0.0.0.0`` or ``::`` would be) is reachable through that very address, so a
refused connect really means the server is not listening there.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.procs import server_pids
from tui_market.infrastructure.embedded import EmbeddedServer

pytestmark = pytest.mark.skipif(
    "TUI_MARKET_TEST_MONGODB_URI" in os.environ, reason="embedded-server tests use secantus"
)

Address = tuple[int, tuple[str, int] | tuple[str, int, int, int]]  # family, sockaddr (port 0)


def _ipv6_addresses() -> list[Address]:
    """Every IPv6 address of this machine (Linux ``/proc/net/if_inet6``), with its scope."""
    found: list[Address] = []
    with contextlib.suppress(OSError):
        for line in Path("/proc/net/if_inet6").read_text().splitlines():
            fields = line.split()
            text = ":".join(fields[0][i : i + 4] for i in range(0, 32, 4))
            addr = socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, text))
            scope = int(fields[1], 16) if addr.startswith("fe80") else 0
            found.append((socket.AF_INET6, (addr, 0, 0, scope)))
    return found


def _ipv4_addresses() -> list[Address]:
    """Every local IPv4 address: the kernel's LOCAL routes (``/proc/net/fib_trie``) and what
    the host name resolves to."""
    seen: set[str] = set()
    with contextlib.suppress(OSError):
        lines = Path("/proc/net/fib_trie").read_text().splitlines()
        for previous, line in itertools.pairwise(lines):
            if line.strip() == "/32 host LOCAL":
                seen.add(previous.split()[-1])
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            seen.add(str(info[4][0]))
    return [(socket.AF_INET, (a, 0)) for a in sorted(seen)]


def other_local_addresses() -> list[Address]:
    """Every address of this machine except 127.0.0.1."""
    wanted: list[Address] = [
        (socket.AF_INET, ("127.0.0.2", 0)),
        (socket.AF_INET, ("127.255.255.254", 0)),
        (socket.AF_INET6, ("::1", 0, 0, 0)),
    ]
    for item in [*_ipv4_addresses(), *_ipv6_addresses()]:
        if item[1][0] != "127.0.0.1" and item not in wanted:
            wanted.append(item)
    return wanted


def with_port(addr: Address, port: int) -> Address:
    family, sockaddr = addr
    return family, (sockaddr[0], port, *sockaddr[2:])


def connects(addr: Address, timeout: float = 2.0) -> bool:
    family, sockaddr = addr
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(sockaddr)
        except OSError:
            return False
    return True


@contextlib.contextmanager
def wildcard_listeners() -> Iterator[dict[int, int]]:
    """Listeners on 0.0.0.0 and :: (IPv6 only); yields {family: port}."""
    with socket.socket(socket.AF_INET) as v4, socket.socket(socket.AF_INET6) as v6:
        v4.bind(("0.0.0.0", 0))
        v4.listen()
        v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        v6.bind(("::", 0))
        v6.listen()
        yield {socket.AF_INET: v4.getsockname()[1], socket.AF_INET6: v6.getsockname()[1]}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[EmbeddedServer, int]]:
    embedded = EmbeddedServer(tmp_path)
    uri = embedded.acquire()
    port = int(uri.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
    try:
        yield embedded, port
    finally:
        embedded.release()
        for pid in server_pids(tmp_path):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_the_embedded_server_is_reachable_on_127_0_0_1_only(
    server: tuple[EmbeddedServer, int],
) -> None:
    embedded, port = server
    assert connects((socket.AF_INET, ("127.0.0.1", port)))
    with wildcard_listeners() as control:
        probes = [a for a in other_local_addresses() if connects(with_port(a, control[a[0]]))]
    shown = [a[1][0] for a in probes]
    # The probe is meaningful: a wildcard-bound server would be reachable through these.
    assert "127.0.0.2" in shown and "::1" in shown, shown
    reachable = [a[1][0] for a in probes if connects(with_port(a, port))]
    assert reachable == [], f"the embedded server answers on {reachable} (probed {shown})"
    assert embedded.uri is not None and embedded.uri.startswith("mongodb://127.0.0.1:")
