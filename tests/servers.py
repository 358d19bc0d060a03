"""Real servers for integration tests: a Redis on a free loopback port, a Celery worker in its own
process, the test database on a file that other processes can open, free ports in general."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

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


@contextmanager
def database_on_file(path: Path) -> Iterator[None]:
    """On in-memory SQLite, move the test database to a file for the block; else do nothing.

    In-memory SQLite shares one cache between connections, where a second writer fails at once
    with "database table is locked" instead of waiting for the first as it does on a file; and
    another process cannot open it at all. Call inside a transactional test.
    """
    from django.db import connection

    if connection.vendor != "sqlite" or not cast(Any, connection).is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    in_memory, name = connection.connection, connection.settings_dict["NAME"]
    with sqlite3.connect(path) as copy:
        in_memory.backup(copy)
    copy.close()
    # Every thread's connection reads this same settings dict. The in-memory connection is set
    # aside, not closed: closing the last one would drop the test database.
    connection.settings_dict["NAME"] = str(path)
    connection.connection = None
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = in_memory


def database_url() -> str:
    """Return a DATABASE_URL naming the test database, for another process to open."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    credentials = quote(settings["USER"] or "")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"])
    host = f"{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{settings['NAME']}"


@contextmanager
def celery_worker_process(
    *, env: dict[str, str], queue: str, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `celery worker` (prefork, one child) in its own process group on `queue`.

    Yields once the worker says it is ready; kills the whole group afterwards if it still runs.
    """
    root = Path(__file__).resolve().parent.parent
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork",
        "--concurrency", "1", "--queues", queue, "--hostname", f"{queue}-{log.stem}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
    ]  # fmt: skip
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=root,
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        if not wait_until(lambda: b" ready." in log.read_bytes(), timeout=60, interval=0.2):
            raise RuntimeError(f"celery worker did not start:\n{log.read_text()}")
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
