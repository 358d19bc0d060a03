"""Template filters of the question bank: {% load quizbank %}{{ question.stem|markdown }}."""

from django import template
from django.utils.safestring import SafeString

from quizbank.rendering import render_markdown, render_markdown_inline

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)


@register.filter(name="markdown_inline")
def markdown_inline_filter(text: str) -> SafeString:
    return render_markdown_inline(text)
