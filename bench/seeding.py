"""Seeding helpers shared by the database benchmarks: settings for a throwaway database, and
bulk inserts of plain rows (executemany on SQLite, COPY on PostgreSQL).

Millions of model instances through `bulk_create` would make the seeding, not the benchmark,
the wait; these write plain tuples straight to the model's table.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

# Rows per executemany when seeding SQLite.
INSERT_BATCH = 5_000


def batches(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    """Split rows into lists of at most `size`."""
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def insert_rows(model: Any, fields: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """Insert rows of plain values into the model's table; return how many.

    Datetimes must already be adapted (`connection.ops.adapt_datetimefield_value`). Millions of
    model instances through `bulk_create` would make the seeding, not the benchmark, the wait.
    """
    from django.db import connection

    quote = connection.ops.quote_name
    # Table and column names come from the model's own metadata, quoted; values are parameters.
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: multi-row INSERTs took PostgreSQL minutes for a million cards.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as stream:
                for row in rows:
                    stream.write_row(row)
                    count += 1
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            insert = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
            for batch in batches(rows, INSERT_BATCH):
                cursor.executemany(insert, batch)
                count += len(batch)
    return count


def environment(workdir: str, database_url: str) -> dict[str, str]:
    """Return the settings' environment: production profile, a throwaway VAR_DIR and database."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "VAR_DIR": workdir,
        "LOG_LEVEL": "WARNING",
    }
