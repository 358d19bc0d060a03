"""Answer endpoint throughput under the production server. Target: at least 0.35 of a bare view.

Serves the platform with production settings (DJANGO_ENV=production, DEBUG off, behind a TLS
proxy) from each WSGI server in turn, on a private SQLite database (or `--database-url`), and
drives it with concurrent keep-alive clients. The figure is the answer endpoint,
`POST /api/v1/sessions/{id}/responses/` with a token, each request answering a new item of a
tutor session (the 201 path, which writes the response and returns the explanation). The
baseline, measured in the same run by the same server process and the same clients, is a bare
Django view that returns a small JsonResponse through the same middleware: the ratio says how
much of the server's bare request rate the answer endpoint keeps. A third figure, the "DRF
floor", is a token-authenticated DRF view that does nothing else: what every API endpoint pays
before its own work, so it bounds the ratio any DRF endpoint can reach. Every answer must be a 201;
any other status or a failed connection makes the run exit non-zero.

    .venv/bin/python bench/answer_throughput.py [--seconds 5] [--clients 8] [--workers 2]
        [--servers gunicorn,gunicorn-gthread,granian] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import itertools
import json
import math
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
TARGET = 0.35
SETTINGS = "bench.bench_settings"
BARE_PATH = "/bench/bare/"
FLOOR_PATH = "/bench/drf/"
ANSWER_PATH = "/api/v1/sessions/{session}/responses/"
ITEMS_PER_SESSION = 100
# Sessions of 100 items need more than the starter bank's 28 questions.
BANK_COPIES = 4
WARMUP_SECONDS = 1.0
# A server's answer rate stays below its bare rate; the margin covers noise between the two.
ITEM_MARGIN = 1.25

ServerArgv = Callable[[int, int], list[str]]
SERVERS: dict[str, ServerArgv] = {
    "gunicorn": lambda port, workers: [
        str(VENV_BIN / "gunicorn"),
        "config.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--graceful-timeout=5",
    ],
    "gunicorn-gthread": lambda port, workers: [
        str(VENV_BIN / "gunicorn"),
        "config.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=gthread",
        "--threads=4",
        "--graceful-timeout=5",
    ],
    "granian": lambda port, workers: [
        str(VENV_BIN / "granian"),
        "--interface=wsgi",
        "config.wsgi:application",
        "--host=127.0.0.1",
        f"--port={port}",
        f"--workers={workers}",
        "--no-ws",
        "--log-level=warning",
    ],
}


@dataclass
class Load:
    """What the clients saw during one measurement."""

    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    completed: int = 0
    client_cpu: float = 0.0
    server_cpu: float = math.nan

    @property
    def server_cpu_ms(self) -> float:
        """Return the server's CPU time per request (all its processes, warm-up included)."""
        return 1000 * self.server_cpu / self.completed if self.completed else math.nan

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def p95_ms(self) -> float:
        if len(self.latencies) < 2:
            return 1000 * max(self.latencies, default=math.nan)
        return 1000 * statistics.quantiles(self.latencies, n=20)[-1]

    def fail(self, reason: str) -> None:
        self.errors += 1
        self.first_error = self.first_error or reason


@dataclass
class Student:
    user_id: int
    token: str


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def http_request(*, port: int, path: str, token: str, body: bytes) -> bytes:
    """Return the bytes of one POST as the production TLS proxy would forward it."""
    head = (
        f"POST {path} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        f"Authorization: Token {token}\r\n"
        "X-Forwarded-Proto: https\r\n"
        "Accept: application/json\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def bare_requests(
    port: int, students: list[Student], path: str = BARE_PATH
) -> list[Iterator[bytes]]:
    """Return, per client, the bare view's request over and over, shaped like an answer."""
    body = json.dumps({"item": 1, "option": "0123456789abcdef"}).encode()
    return [
        itertools.repeat(http_request(port=port, path=path, token=student.token, body=body))
        for student in students
    ]


def answer_requests(
    port: int, students: list[Student], work: list[list[tuple[int, int, str]]]
) -> list[Iterator[bytes]]:
    """Return, per client, one answer request for each of its student's unanswered items."""
    return [
        iter(
            [
                http_request(
                    port=port,
                    path=ANSWER_PATH.format(session=session),
                    token=student.token,
                    body=json.dumps({"item": item, "option": option}).encode(),
                )
                for session, item, option in items
            ]
        )
        for student, items in zip(students, work, strict=True)
    ]


# Data -------------------------------------------------------------------------------------------


def bank_copies(copies: int) -> str:
    """Return an import file holding `copies` renamed copies of each starter bank question."""
    from quizbank.starter import STARTER_BANK

    bank = json.loads(STARTER_BANK.read_text(encoding="utf-8"))
    bank["questions"] = [
        {**question, "name": f"{question['name']}-copy-{copy}"}
        for copy in range(1, copies + 1)
        for question in bank["questions"]
    ]
    return json.dumps(bank)


def prepare_database(clients: int) -> list[Student]:
    """Migrate, load the starter bank and more published questions, and make one student each."""
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from learners.models import User
    from learners.roles import Role
    from learners.services import assign_role
    from quizbank.importing import import_questions
    from quizbank.starter import load_starter_bank

    call_command("migrate", verbosity=0)
    # Names carry a run id so that a reused PostgreSQL database takes a second run.
    run = secrets.token_hex(3)
    admin = User.objects.create_user(username=f"bench-{run}-admin")
    assign_role(user=admin, role=Role.ADMIN)
    assert not load_starter_bank(by=admin).errors
    report = import_questions(text=bank_copies(BANK_COPIES), fmt="json", by=admin, publish=True)
    assert not report.errors, report.as_dict()
    students = []
    for number in range(clients):
        user = User.objects.create_user(username=f"bench-{run}-student-{number}")
        assign_role(user=user, role=Role.STUDENT)
        token, _ = Token.objects.get_or_create(user=user)
        students.append(Student(user_id=user.pk, token=token.key))
    return students


def unanswered_items(students: list[Student], per_student: int) -> list[list[tuple[int, int, str]]]:
    """Start tutor sessions until each student has `per_student` items to answer; list them."""
    from django.db import connections
    from django.utils import timezone

    from learners.models import Mode, SessionItem, User
    from learners.practice import start_session

    rng = Random(len(students) * per_student)
    work = []
    for student in students:
        learner = User.objects.get(pk=student.user_id)
        pending = SessionItem.objects.filter(session__learner=learner, response__isnull=True)
        missing = per_student - pending.count()
        for _ in range(max(0, math.ceil(missing / ITEMS_PER_SESSION))):
            start_session(
                learner=learner, mode=Mode.TUTOR, count=ITEMS_PER_SESSION, now=timezone.now()
            )
        items = pending.order_by("session_id", "position").values_list(
            "session_id", "pk", "option_order"
        )
        # Students name an option by its token in the item (SessionItem.option_token).
        work.append(
            [
                (session, item, SessionItem(pk=item).option_token(rng.choice(order)))
                for session, item, order in items
            ]
        )
    # The servers write to the same database; this process holds no connection while they run.
    connections.close_all()
    return work


# Servers ----------------------------------------------------------------------------------------


def answers_bare(port: int) -> bool:
    """Return whether the server on `port` serves the bare view yet."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("POST", BARE_PATH, headers={"X-Forwarded-Proto": "https"})
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


@contextmanager
def running_server(argv: list[str], *, port: int, env: dict[str, str], log: Path) -> Iterator[int]:
    """Start a server in its own process group, wait until it answers, stop the whole group.

    Yields the process group id.
    """
    with log.open("ab") as output:
        # The argv is one of SERVERS, built here from a port number and a worker count.
        process = subprocess.Popen(  # noqa: S603
            argv, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 30
        while not answers_bare(port):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{argv[0]} did not start on port {port}:\n{tail}")
            time.sleep(0.1)
        yield process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def group_cpu_seconds(group: int) -> float:
    """Return the CPU time used so far by the live processes of a process group (Linux only)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == group:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK") if ticks else math.nan


# Load -------------------------------------------------------------------------------------------


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes, bool]:
    """Send one request; return the status, the body and whether the connection stays open."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    keep_alive = headers.get("connection") != "close"
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        chunks = []
        while size := int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16):
            chunks.append(await reader.readexactly(size + 2))
        await reader.readuntil(b"\r\n")
        body = b"".join(chunk[:-2] for chunk in chunks)
    else:
        body, keep_alive = await reader.read(), False
    return int(status_line.split()[1]), body, keep_alive


async def client(
    port: int, requests: Iterator[bytes], expect: int, window: tuple[float, float], load: Load
) -> None:
    """Send requests one after another until the window closes, reusing the connection."""
    measure_from, stop_at = window
    streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    for request in requests:
        if time.perf_counter() >= stop_at:
            break
        started = time.perf_counter()
        try:
            if streams is None:
                streams = await asyncio.open_connection("127.0.0.1", port)
            status, body, keep_alive = await exchange(*streams, request)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
            load.fail(f"{type(error).__name__}: {error}")
            status, body, keep_alive = 0, b"", False
        finished = time.perf_counter()
        if status == expect:
            load.completed += 1
            if measure_from <= finished <= stop_at:
                load.latencies.append(finished - started)
        elif status:
            load.fail(f"HTTP {status} instead of {expect}: {body[:300].decode(errors='replace')}")
        if not keep_alive and streams is not None:
            streams[1].close()
            streams = None
    else:
        load.fail("ran out of prepared items to answer")
    if streams is not None:
        streams[1].close()


def measure(port: int, requests: list[Iterator[bytes]], *, expect: int, seconds: float) -> Load:
    """Run one client per request stream for a warm-up and `seconds`; time the latter."""
    load = Load(seconds=seconds)

    async def run() -> None:
        start = time.perf_counter() + WARMUP_SECONDS
        window = (start, start + seconds)
        await asyncio.gather(*(client(port, stream, expect, window, load) for stream in requests))

    cpu, wall = time.process_time(), time.perf_counter()
    asyncio.run(run())
    load.client_cpu = (time.process_time() - cpu) / (time.perf_counter() - wall)
    return load


def ratio(figure: Load, baseline: Load) -> float:
    """Return the figure's requests per second as a share of the baseline's."""
    return figure.rate / baseline.rate if baseline.rate else 0.0


# Main -------------------------------------------------------------------------------------------


def production_environment(workdir: str, database_url: str) -> dict[str, str]:
    """Return the environment of a production deployment behind a TLS proxy, with bench URLs."""
    return {
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DJANGO_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_TLS_PROXY": "true",
        "DATABASE_URL": database_url,
        "VAR_DIR": workdir,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }


def measure_server(
    name: str, *, workers: int, students: list[Student], seconds: float, env: dict[str, str]
) -> tuple[Load, Load, Load]:
    """Start server `name`, measure the bare view, the DRF floor and the answers, stop it."""
    port = free_port()
    log = Path(env["VAR_DIR"]) / f"{name}.log"
    with running_server(SERVERS[name](port, workers), port=port, env=env, log=log) as group:
        cpu = group_cpu_seconds(group)
        bare = measure(port, bare_requests(port, students), expect=200, seconds=seconds)
        bare.server_cpu = group_cpu_seconds(group) - cpu
        floor = measure(
            port, bare_requests(port, students, FLOOR_PATH), expect=200, seconds=seconds
        )
        needed = bare.rate * (WARMUP_SECONDS + seconds) * ITEM_MARGIN / len(students)
        work = unanswered_items(students, math.ceil(needed) + 10)
        cpu = group_cpu_seconds(group)
        answer = measure(port, answer_requests(port, students, work), expect=201, seconds=seconds)
        answer.server_cpu = group_cpu_seconds(group) - cpu
    return bare, floor, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="time spent on each figure")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--servers", default=",".join(SERVERS), help="comma-separated")
    parser.add_argument("--database-url", default="", help="default: a private SQLite file")
    options = parser.parse_args()
    servers = options.servers.split(",")
    if unknown := set(servers) - set(SERVERS):
        parser.error(f"unknown server {', '.join(sorted(unknown))}; choose {', '.join(SERVERS)}")

    with tempfile.TemporaryDirectory(prefix="answer-bench-") as workdir:
        database_url = options.database_url or f"sqlite:///{workdir}/bench.sqlite3"
        # The settings read these when Django starts: set them before django.setup().
        server_env = {**os.environ, **production_environment(workdir, database_url)}
        os.environ.update(server_env, LOG_LEVEL="WARNING")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        students = prepare_database(options.clients)

        print("figure:   POST /api/v1/sessions/{id}/responses/ answering a new tutor item (201)")
        print(f"baseline: POST {BARE_PATH}, a bare Django JsonResponse (no database)")
        print(
            f"both from the same server process and the same {options.clients} clients; "
            f"{options.workers} workers, {WARMUP_SECONDS:g} s warm-up + {options.seconds:g} s "
            f"each, DJANGO_ENV=production, {'SQLite' if 'sqlite' in database_url else 'PostgreSQL'}"
        )
        print()
        print("server            bare rps  bare p95 ms  answer rps  answer p95 ms  answer/bare")
        results: dict[str, tuple[Load, Load, Load]] = {}
        for name in servers:
            bare, floor, answer = results[name] = measure_server(
                name,
                workers=options.workers,
                students=students,
                seconds=options.seconds,
                env=server_env,
            )
            print(
                f"{name:<16} {bare.rate:9,.0f} {bare.p95_ms:12.1f} {answer.rate:11,.0f} "
                f"{answer.p95_ms:14.1f} {ratio(answer, bare):12.3f}"
            )
            if not math.isnan(bare.server_cpu_ms * answer.server_cpu_ms):
                print(
                    f"  server CPU per request: bare {bare.server_cpu_ms:.2f} ms, "
                    f"answer {answer.server_cpu_ms:.2f} ms"
                )
            print(
                f"  DRF floor (token auth, no other work): {floor.rate:,.0f} rps, "
                f"{ratio(floor, bare):.3f} of bare"
            )
            for label, load in (("bare", bare), ("floor", floor), ("answer", answer)):
                if load.errors:
                    print(f"  {load.errors} {label} requests failed, first: {load.first_error}")

    loads = [load for pair in results.values() for load in pair]
    errors = sum(load.errors for load in loads)
    best = max(results, key=lambda name: results[name][2].rate)
    bare, floor, answer = results[best]
    print()
    print(f"client CPU: at most {max(load.client_cpu for load in loads):.0%} of one core")
    print(f"fastest server for the answer endpoint: {best} ({answer.rate:,.0f} answers/s)")
    verdict = "met" if ratio(answer, bare) >= TARGET else "MISSED"
    print(f"target: answer/bare >= {TARGET} under the production server: {verdict}")
    # Any DRF endpoint pays the floor; below the target, no DRF endpoint can meet it.
    print(
        f"DRF floor/bare ({best}): {ratio(floor, bare):.3f}; answer/DRF floor: "
        f"{ratio(answer, floor):.3f}"
    )
    if errors:
        print(f"{errors} REQUESTS FAILED: these figures are not valid")
    print(f"answer/bare throughput ratio ({best}): {ratio(answer, bare):.3f}")
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
