"""`make run` brings up Redis, the web server, a Celery worker and beat, and stops them all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

from tests.servers import free_port, wait_until

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def run_environment(var_dir: Path, web_port: int, redis_port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"}
    }
    # A private SQLite file: the test never touches a database named in the caller's DATABASE_URL.
    env.update(
        PORT=str(web_port),
        REDIS_PORT=str(redis_port),
        VAR_DIR=str(var_dir),
        DATABASE_URL=f"sqlite:///{var_dir / 'db.sqlite3'}",
    )
    return env


def health(url: str) -> dict[str, object] | None:
    """Return /healthz's body when it answers 200, else None."""
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            body: dict[str, object] = json.loads(response.read())
            return body
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


@contextmanager
def make_run(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["make", "run"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def test_make_run_serves_a_healthy_platform_and_stops_everything_on_sigterm(
    tmp_path: Path,
) -> None:
    web_port, redis_port = free_port(), free_port()
    env = run_environment(tmp_path, web_port, redis_port)
    healthz = f"http://127.0.0.1:{web_port}/healthz"

    for attempt in (1, 2):  # running it twice in a row works
        log = tmp_path / f"run-{attempt}.log"
        with make_run(env, log) as process:
            assert wait_until(lambda: health(healthz), timeout=120, interval=0.5), log.read_text()
            body = health(healthz)
            assert body is not None
            assert body["status"] == "ok"
            children = psutil.Process(process.pid).children(recursive=True)
            commands = [" ".join(child.cmdline()) for child in children]
            assert any("redis-server" in command for command in commands)
            assert any("granian" in command for command in commands)
            assert any("celery" in command and " worker" in command for command in commands)
            assert any("celery" in command and " beat" in command for command in commands)
            output = log.read_text()
            assert f"http://127.0.0.1:{web_port}/" in output
            assert "demo-student" in output

            if attempt == 1:
                clash = subprocess.run(
                    ["make", "run"],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
                assert clash.returncode != 0
                assert f"Port {web_port} on 127.0.0.1 is already in use" in clash.stderr
                assert "Traceback" not in clash.stderr + clash.stdout

            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
            _, alive = psutil.wait_procs(children, timeout=30)
            assert alive == [], [" ".join(p.cmdline()) for p in alive]
        assert health(healthz) is None
