"""Project configuration: settings, URLs, the Celery app, the admin site and operations."""

from config.celery import app as celery_app

__all__ = ["celery_app"]
