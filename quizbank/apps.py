from django.apps import AppConfig
from django.urls import register_converter


class QuizbankConfig(AppConfig):
    name = "quizbank"
    verbose_name = "Question bank"

    def ready(self) -> None:
        from quizbank.ids import IdConverter

        # `<id:pk>` in every URL that names a row (see quizbank.ids).
        register_converter(IdConverter, "id")
