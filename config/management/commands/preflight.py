"""Check, before `make run` starts anything, that the ports it needs are free."""

import errno
import socket
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def is_port_in_use(host: str, port: int) -> bool:
    """Return True when something already listens on (host, port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True
            raise
    return False


class Command(BaseCommand):
    help = "Fail with a clear message when the web or Redis port is already taken."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--web-port", type=int, required=True)
        parser.add_argument("--announce", action="store_true", help="Print the URLs too.")

    def handle(self, *args: Any, **options: Any) -> None:
        web_port: int = options["web_port"]
        if is_port_in_use("127.0.0.1", web_port):
            raise CommandError(
                f"Port {web_port} on 127.0.0.1 is already in use (is another `make run` "
                f"still running?). Stop that process, or choose another port: "
                f"make run PORT={web_port + 1}"
            )
        if not settings.REDIS_URL_IS_EXTERNAL and is_port_in_use("127.0.0.1", settings.REDIS_PORT):
            raise CommandError(
                f"Port {settings.REDIS_PORT} on 127.0.0.1 is already in use, so the embedded "
                f"Redis cannot start. If a Redis server is running there, use it with "
                f"REDIS_URL=redis://127.0.0.1:{settings.REDIS_PORT}/0; otherwise stop that "
                f"process or pick another port with REDIS_PORT."
            )
        if not options["announce"]:
            return
        self.stdout.write(f"Web:        http://127.0.0.1:{web_port}/")
        self.stdout.write(f"Admin:      http://127.0.0.1:{web_port}/admin/")
        self.stdout.write(f"API docs:   http://127.0.0.1:{web_port}/api/docs/")
        self.stdout.write(f"Health:     http://127.0.0.1:{web_port}/healthz")
        self.stdout.write(f"Redis:      {settings.REDIS_URL}")
