"""Filters of the question list, shared by the API (and usable by the authoring page)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from quizbank.ids import IdChoiceField
from quizbank.models import Question, QuestionQuerySet, Status, Topic


class IdChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice of a row by id whose id out of range is an invalid choice (quizbank.ids)."""

    field_class = IdChoiceField


class QuestionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_text", label="Search the stem and lead-in")
    topic = IdChoiceFilter(
        queryset=Topic.objects.all(), method="filter_topic", label="Topic (with its subtopics)"
    )
    tag = django_filters.CharFilter(field_name="tags__name", label="Tag")
    status = django_filters.ChoiceFilter(choices=Status.choices)
    author = django_filters.CharFilter(field_name="author__username", label="Author username")
    decision_model = django_filters.CharFilter(field_name="decision_model")

    class Meta:
        model = Question
        fields = ["q", "topic", "tag", "status", "author", "decision_model"]

    def filter_text(self, queryset: QuestionQuerySet, name: str, value: str) -> QuestionQuerySet:
        return queryset.filter(Q(stem__icontains=value) | Q(lead_in__icontains=value))

    def filter_topic(self, queryset: QuestionQuerySet, name: str, value: Topic) -> QuestionQuerySet:
        return queryset.in_topic(value)
