from django.apps import AppConfig


class DecisionConfig(AppConfig):
    name = "decision"
    verbose_name = "Decision models"
