"""Template helpers for evidence summaries: {% load topics %}{{ point|cited_markdown }}."""

from __future__ import annotations

import re

from django import template
from django.utils.safestring import SafeString

from quizbank.content import CITATION
from quizbank.models import Status, Topic, TopicSummary
from quizbank.rendering import render_markdown

register = template.Library()

# Inline code spans, kept as written: a "[1]" inside `code` is not turned into a link.
CODE_SPAN = re.compile(r"(`+[^`]*`+)")


def _link_citations(markdown: str) -> str:
    """Rewrite each [n] as a Markdown link to #ref-n, outside inline code."""
    parts = CODE_SPAN.split(markdown)
    for index in range(0, len(parts), 2):
        parts[index] = CITATION.sub(
            lambda match: f'[\\[{match[1]}\\]](#ref-{match[1]} "Reference {match[1]}")',
            parts[index],
        )
    return "".join(parts)


@register.filter
def cited_markdown(text: str) -> SafeString:
    """Render a summary point as Markdown with each [n] linked to the n-th reference."""
    # The links are written in Markdown before rendering, so nh3 sanitises them with the rest.
    return render_markdown(_link_citations(text or ""))


@register.simple_tag
def nearest_published_summary(topic: Topic | None) -> TopicSummary | None:
    """Return the published summary of `topic` or of its nearest ancestor that has one."""
    if topic is None:
        return None
    step = Topic.steplen
    paths = [topic.path[:end] for end in range(step, len(topic.path) + 1, step)]
    summary: TopicSummary | None = (
        TopicSummary.objects.filter(status=Status.PUBLISHED, topic__path__in=paths)
        .select_related("topic")
        .order_by("-topic__depth")
        .first()
    )
    return summary
