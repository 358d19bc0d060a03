"""Real servers for integration tests: a Redis on a free loopback port, free ports in general."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from config.redis_server import redis_server_argv


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(predicate: object, *, timeout: float, interval: float = 0.1) -> bool:
    """Poll `predicate` until it returns true or `timeout` seconds pass."""
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


@contextmanager
def running_redis(data_dir: Path) -> Iterator[str]:
    """Start a real redis-server on a free port and yield its URL; stop it afterwards."""
    port = free_port()
    process = subprocess.Popen(
        redis_server_argv(port=port, data_dir=data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=0.2)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False

    try:
        if not wait_until(answers, timeout=15):
            raise RuntimeError(f"redis-server did not start on port {port}")
        yield url
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)
