"""Failed logins: a back-off per client and per (client, user name), never a lock a stranger can set.

A lock that anyone can trigger for a name is a way to keep its owner out: five made-up passwords for
the 组织部 account would lock the 组织部 out. So failures count against the client that made them:
too many for one name from one client, or for any names from one client, make that client wait
(60 s, doubling with every further lock up to 15 min). The real user logging in from another client
is never slowed by it. While a client waits for a name no password is even checked.

A client is the address of the browser's connection as Streamlit gets it (`st.context.ip_address`;
a connection from this machine is "本机"). `dangjian serve` tells the web server to trust no
X-Forwarded-For header, so a client cannot pick its own address; behind a reverse proxy the proxy's
address is trusted only when given with `--trusted-proxy` (the proxy must set X-Forwarded-For), and
then each browser is told apart by the address the proxy saw. IPv6 clients count per /64 network,
the block one machine usually holds.

One object is shared by every session of the server process (`st.cache_resource` in auth.py), so
neither a rerun nor a new tab resets the count.
"""

import ipaddress
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import streamlit as st

MAX_FAILURES_PER_NAME = 5  # one client, one user name
MAX_FAILURES_PER_CLIENT = 20  # one client, any names
FAILURE_WINDOW_S = 15 * 60  # failures older than this are forgotten
FIRST_WAIT_S = 60
MAX_WAIT_S = 15 * 60
LOCAL_CLIENT = "本机"
MAX_RECORDS = 10_000  # past this, records with nothing left to remember are dropped


def connection_address() -> str | None:
    """The address of this session's connection; None for 127.0.0.1/::1 and outside a session.

    (Only a real server has a connection: Streamlit's AppTest stands a mock in for it, which is
    taken as no address.)
    """
    address = st.context.ip_address
    return address if isinstance(address, str) and address else None


def client_of_session() -> str:
    """Who is asking, as far as the server can tell: the connection's address (see the module)."""
    address = connection_address()
    if address is None:
        return LOCAL_CLIENT
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass
class _Record:
    times: deque = field(default_factory=deque)
    locked_until: float = 0.0
    locks: int = 0  # locks so far; each further one waits twice as long
    last_failure: float = 0.0


class LoginThrottle:
    """Failures per (client, name) and per client; too many within `window_s` make the client wait.

    Names are compared case-insensitively ("Admin" and "admin" share a count). Thread-safe.
    """

    def __init__(
        self,
        per_name: int = MAX_FAILURES_PER_NAME,
        per_client: int = MAX_FAILURES_PER_CLIENT,
        window_s: float = FAILURE_WINDOW_S,
        first_wait_s: float = FIRST_WAIT_S,
        max_wait_s: float = MAX_WAIT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_name, self.per_client = per_name, per_client
        self.window_s, self.first_wait_s, self.max_wait_s = window_s, first_wait_s, max_wait_s
        self.clock = clock
        self._records: dict[tuple[str, str | None], _Record] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _keys(name: str, client: str) -> tuple[tuple[str, str], tuple[str, None]]:
        return (client, (name or "").strip().casefold()), (client, None)

    def wait_seconds(self, name: str, client: str) -> int:
        """Whole seconds until `client` may try `name` again (0: now)."""
        with self._lock:
            at = self.clock()
            records = [self._records.get(k) for k in self._keys(name, client)]
            until = max((r.locked_until for r in records if r is not None), default=0.0)
            return max(0, math.ceil(until - at))

    def record_failure(self, name: str, client: str) -> int:
        """Count a failed login; return the seconds `client` must now wait for `name` (0: none)."""
        with self._lock:
            at = self.clock()
            if len(self._records) > MAX_RECORDS:  # a spray of made-up names must not grow memory forever
                self._forget_stale(at)
            for key, limit in zip(self._keys(name, client), (self.per_name, self.per_client), strict=True):
                record = self._records.setdefault(key, _Record())
                if at - max(record.last_failure, record.locked_until) >= self.window_s:
                    record.locks = 0  # a quiet window after the last wait: the back-off starts over
                while record.times and at - record.times[0] >= self.window_s:
                    record.times.popleft()
                record.times.append(at)
                record.last_failure = at
                if len(record.times) >= limit:
                    wait = min(self.max_wait_s, self.first_wait_s * 2**record.locks)
                    record.locked_until = at + wait
                    record.locks += 1
                    record.times.clear()
            until = max(self._records[k].locked_until for k in self._keys(name, client))
            return max(0, math.ceil(until - at))

    def record_success(self, name: str, client: str) -> None:
        """The right password for `name` from `client`: that pair starts over. The client's count of
        failures over all names stays, or one account of one's own would reset a name-guessing run."""
        with self._lock:
            self._records.pop(self._keys(name, client)[0], None)

    def _forget_stale(self, at: float) -> None:
        for key in [
            k
            for k, r in self._records.items()
            if r.locked_until <= at and at - r.last_failure >= self.window_s
        ]:
            del self._records[key]
