"""Log lines go to stdout and name the request and the user."""

from __future__ import annotations

import io
import logging

import pytest
import structlog
from django.test import Client

from learners.models import User

pytestmark = pytest.mark.django_db


def stdout_handler() -> logging.StreamHandler[io.TextIOBase]:
    """Return the platform's own handler (pytest adds capturing handlers of its own)."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.StreamHandler)
        and isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter)
    ]
    assert len(handlers) == 1
    return handlers[0]


def test_a_request_is_logged_with_its_id_path_and_user(client: Client, student: User) -> None:
    client.force_login(student)
    handler = stdout_handler()
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        client.get("/practice/")
    finally:
        if previous is not None:
            handler.setStream(previous)

    lines = [line for line in buffer.getvalue().splitlines() if "request_finished" in line]
    assert len(lines) == 1
    assert f"user_id={student.pk}" in lines[0]
    assert "request='GET /practice/'" in lines[0]
    assert "request_id='" in lines[0]
