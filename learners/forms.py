"""Forms of the account pages, the practice session builder and the study settings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django import forms
from django.contrib.auth.forms import UserCreationForm, UsernameField
from django.db.models import Count
from django.http import QueryDict

from learners.models import MAX_DAILY_GOAL, Mode, Pool, User
from learners.plans import local_day
from learners.practice import (
    DEFAULT_SECONDS_PER_ITEM,
    MAX_ITEMS,
    MAX_SECONDS_PER_ITEM,
    MIN_SECONDS_PER_ITEM,
    practice_pool,
)
from quizbank.ids import is_valid_id
from quizbank.models import Topic


class SignUpForm(UserCreationForm[User]):
    email = forms.EmailField(
        required=True, help_text="Used only to reset your password and send study reminders."
    )

    class Meta:
        model = User
        fields = ("username", "email")
        field_classes = {"username": UsernameField}

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this e-mail address already exists.", code="duplicate_email"
            )
        return email


@dataclass(frozen=True)
class TopicChoice:
    """A topic of the builder's tree; `opens`/`closes` nest the lists (treebeard's annotation)."""

    topic: Topic
    questions: int
    is_checked: bool
    opens: bool
    closes: list[int]


class SessionBuilderForm(forms.Form):
    """The choices a student makes to build a practice session (or to count what matches)."""

    # What the builder shows before the student changes anything.
    DEFAULTS = {
        "mode": Mode.TUTOR,
        "count": "20",
        "seconds_per_item": str(DEFAULT_SECONDS_PER_ITEM),
        "filter": Pool.ALL,
    }

    mode = forms.ChoiceField(choices=Mode.choices, widget=forms.RadioSelect, label="Mode")
    count = forms.IntegerField(
        label="Number of items", min_value=1, max_value=MAX_ITEMS, required=False
    )
    seconds_per_item = forms.IntegerField(
        label="Seconds per item",
        min_value=MIN_SECONDS_PER_ITEM,
        max_value=MAX_SECONDS_PER_ITEM,
        required=False,
        help_text="Timed mode only: the time limit is this many seconds for each item.",
    )
    topics = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Topics",
        help_text="None chosen means every topic. A topic includes everything below it.",
    )
    filter = forms.ChoiceField(
        choices=Pool.choices, widget=forms.RadioSelect, label="Which items", required=False
    )
    # "Practise these again" sends the question ids of a results page instead of a pool.
    questions = forms.Field(required=False, widget=forms.MultipleHiddenInput)

    def __init__(self, *args: Any, topics: Sequence[Topic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.topic_by_id = {topic.pk: topic for topic in topics}
        topic_field = cast(forms.TypedMultipleChoiceField, self.fields["topics"])
        topic_field.choices = [(topic.pk, topic.name) for topic in topics]

    @classmethod
    def from_query(cls, query: QueryDict, *, topics: Sequence[Topic]) -> SessionBuilderForm:
        """Bind the builder to the defaults overridden by a query string (`?filter=marked`)."""
        data = QueryDict(mutable=True)
        data.update(cls.DEFAULTS)
        for key in query:
            data.setlist(key, query.getlist(key))
        return cls(data, topics=topics)

    def clean_questions(self) -> list[int]:
        # Any ids: start_session keeps only the questions that can be practised now.
        return [int(pk) for pk in self.cleaned_data.get("questions") or [] if is_valid_id(pk)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("count") is None and "count" not in self.errors:
            if cleaned.get("questions"):
                cleaned["count"] = min(len(cleaned["questions"]), MAX_ITEMS)
            else:
                self.add_error("count", "Say how many items you want.")
        cleaned["filter"] = cleaned.get("filter") or Pool.ALL
        if cleaned.get("seconds_per_item") is None:
            cleaned["seconds_per_item"] = DEFAULT_SECONDS_PER_ITEM
        return cleaned

    def chosen_topics(self) -> list[Topic]:
        return [self.topic_by_id[pk] for pk in self.cleaned_data.get("topics", [])]

    def session_choices(self) -> dict[str, Any]:
        """Return the keyword arguments of `start_session` this form was filled in with."""
        questions = self.cleaned_data["questions"]
        return {
            "mode": self.cleaned_data["mode"],
            "count": self.cleaned_data["count"],
            "topics": self.chosen_topics(),
            "pool": self.cleaned_data["filter"],
            "seconds_per_item": self.cleaned_data["seconds_per_item"],
            "question_ids": questions or None,
        }

    def count_matching(self, learner: User, *, now: datetime) -> dict[str, int | None]:
        """Return how many questions match the choices and how many items the session gets."""
        if not self.is_valid():
            return {"matching": None, "session_size": None}
        matching = practice_pool(
            learner=learner,
            topics=self.chosen_topics(),
            pool=self.cleaned_data["filter"],
            now=now,
            mode=self.cleaned_data["mode"],
        ).count()
        return {"matching": matching, "session_size": min(matching, self.cleaned_data["count"])}

    def topic_tree(self, learner: User, *, now: datetime) -> list[TopicChoice]:
        """Return the topics in tree order with the published questions under each one."""
        per_path = (
            practice_pool(learner=learner, topics=(), pool=Pool.ALL, now=now)
            .values("topic__path")
            .annotate(n=Count("id"))
            .values_list("topic__path", "n")
        )
        under: dict[str, int] = {}
        step = Topic.steplen
        for path, n in per_path:
            for end in range(step, len(path) + 1, step):
                under[path[:end]] = under.get(path[:end], 0) + n
        checked = {str(value) for value in self["topics"].value() or []}
        return [
            TopicChoice(
                topic=topic,
                questions=under.get(topic.path, 0),
                is_checked=str(topic.pk) in checked,
                opens=bool(info["open"]),
                closes=list(info["close"]),
            )
            for topic, info in Topic.objects.get_annotated_list_qs(self.topic_by_id.values())
        ]


STUDY_SETTINGS = ("daily_goal", "exam_date", "time_zone", "wants_reminders", "rates_confidence")


class StudySettingsForm(forms.ModelForm[User]):
    """A student's study settings: what the daily plan and the reminders follow."""

    daily_goal = forms.IntegerField(
        label="Daily goal",
        min_value=1,
        max_value=MAX_DAILY_GOAL,
        help_text=f"How many items your daily plan holds, from 1 to {MAX_DAILY_GOAL}.",
    )

    class Meta:
        model = User
        fields = STUDY_SETTINGS
        labels = {
            "exam_date": "Exam date",
            "time_zone": "Time zone",
            "wants_reminders": "E-mail me a reminder when my plan is waiting",
            "rates_confidence": "Let me mark an answer as unsure (it is then scheduled sooner)",
        }
        help_texts = {
            "exam_date": "Optional. New items are paced so that you see the bank before it.",
            "time_zone": "Your day begins at midnight here: a new plan, and the evening reminder.",
            "wants_reminders": (
                "At most one e-mail a day, in the evening, if you have not practised yet."
            ),
        }
        widgets = {"exam_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}

    def __init__(self, *args: Any, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        exam_date = cleaned.get("exam_date")
        # "Today" is the student's: the zone chosen in this form, else the one saved.
        zone = cleaned.get("time_zone") or self.instance.time_zone
        if exam_date is not None and exam_date < local_day(zone, self.now):
            self.add_error(
                "exam_date",
                forms.ValidationError(
                    "The exam date is in the past. Choose today or a later date, or leave it "
                    "empty.",
                    code="exam_date_past",
                ),
            )
        return cleaned

    def save(self, commit: bool = True) -> User:
        learner = super().save(commit=False)
        if commit:
            # Other requests write other columns of the same row (last login, password).
            learner.save(update_fields=STUDY_SETTINGS)
        return learner
