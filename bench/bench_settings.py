"""Settings of the answer-throughput benchmark: the platform's own, plus a bare view to compare."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
