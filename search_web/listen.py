"""Where `tweetsearch serve` listens: checked before the server starts, so a taken port or a wrong address is
one line and an exit code, not a server log."""

from __future__ import annotations

import ipaddress
import socket

from common.errors import AddressUnavailable


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_address(host: str, port: int) -> None:
    """Raises `AddressUnavailable` when nothing could listen on host:port now."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise AddressUnavailable(f"cannot listen on {host}: no such address ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise AddressUnavailable(f"cannot listen on {host}:{port}: {exc.strerror}; choose another --port") from None
