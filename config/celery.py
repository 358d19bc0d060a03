"""The Celery application; its settings are the CELERY_* names in config.settings."""

import gc
import logging
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("mcq")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


@signals.worker_init.connect
def freeze_start_up_objects(**_: object) -> int:
    """Take the objects a worker holds from start-up out of garbage collection; return how many.

    By the time a worker starts, Django, Celery and every task module are imported: over
    100,000 objects (modules, classes, functions) that live as long as the process. Python's
    full collections walk all of them each time, 50 to 80 ms in the middle of a nightly
    plan-building chunk every few chunks. Frozen, they are never walked again. Sent in the main
    process before the pool forks its children, so the children inherit the frozen generation
    and their collections do not write to the pages they share with the parent, which is the
    copy-on-write sharing `gc.freeze` is documented for. A frozen object still goes when its
    last reference does; only a reference cycle among them would outlive its use.
    """
    gc.freeze()
    frozen = gc.get_freeze_count()
    logger.info("Froze %d start-up objects out of garbage collection", frozen)
    return frozen
