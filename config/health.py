"""Health of the parts the platform needs: the database, Redis and the Celery workers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import redis
from celery import Celery
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app

# Each probe gives up quickly: a health endpoint that hangs is worse than one that says "down".
PROBE_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str
    extra: dict[str, Any] = field(default_factory=dict)


def check_database() -> Check:
    """Run a trivial query on the default database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "down", reported as text
        return Check(ok=False, detail=f"{type(error).__name__}: {error}")
    return Check(ok=True, detail=connection.vendor)


def probe_client(url: str) -> redis.Redis:
    """Return a Redis client for one probe, giving up after PROBE_TIMEOUT_SECONDS."""
    return redis.Redis.from_url(
        url, socket_timeout=PROBE_TIMEOUT_SECONDS, socket_connect_timeout=PROBE_TIMEOUT_SECONDS
    )


def check_redis() -> Check:
    """Ping the Redis server that Celery uses as its broker."""
    client = probe_client(settings.REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        return Check(ok=False, detail=f"{type(error).__name__}: {error}")
    finally:
        client.close()
    return Check(ok=True, detail="PONG")


def check_celery(*, broker_ok: bool, app: Celery = celery_app) -> Check:
    """Ask every Celery worker to answer a ping through the broker."""
    if not broker_ok:
        return Check(ok=False, detail="broker unreachable, workers not asked")
    try:
        replies = app.control.ping(timeout=PROBE_TIMEOUT_SECONDS) or []
    except Exception as error:  # noqa: BLE001 - kombu raises many types; all mean "down"
        return Check(ok=False, detail=f"{type(error).__name__}: {error}")
    workers = sorted(name for reply in replies for name in reply)
    if not workers:
        return Check(ok=False, detail="no worker answered", extra={"workers": []})
    return Check(ok=True, detail=f"{len(workers)} worker(s)", extra={"workers": workers})


def platform_health() -> dict[str, Check]:
    """Probe every dependency and return the result of each check by name."""
    redis_check = check_redis()
    return {
        "database": check_database(),
        "redis": redis_check,
        "celery": check_celery(broker_ok=redis_check.ok),
    }


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report each dependency; 200 when all are up, 503 otherwise."""
    checks = platform_health()
    healthy = all(check.ok for check in checks.values())
    body = {
        "status": "ok" if healthy else "fail",
        "checks": {name: asdict(check) for name, check in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)
