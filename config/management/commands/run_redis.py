"""Run the embedded Redis server in the foreground (a process of `make run`)."""

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.redis_server import redis_server_argv


class Command(BaseCommand):
    help = "Run the embedded Redis server on 127.0.0.1:REDIS_PORT (replaces this process)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.REDIS_URL_IS_EXTERNAL:
            raise CommandError(
                f"REDIS_URL is set ({settings.REDIS_URL}): the platform uses that Redis and "
                "does not start its own."
            )
        data_dir = settings.VAR_DIR / "redis"
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            argv = redis_server_argv(port=settings.REDIS_PORT, data_dir=data_dir)
        except FileNotFoundError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Starting {argv[0]} on 127.0.0.1:{settings.REDIS_PORT}", ending="\n")
        self.stdout.flush()
        # exec, so that the process manager's signals reach Redis itself.
        os.execv(argv[0], argv)  # noqa: S606 - argv is built here, not taken from input
