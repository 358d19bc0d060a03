from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LearnersConfig(AppConfig):
    name = "learners"
    verbose_name = "Learners and accounts"

    def ready(self) -> None:
        from learners.roles import sync_role_permissions_after_migrate

        # Permissions are created in post_migrate, so the roles can only be given them then.
        post_migrate.connect(sync_role_permissions_after_migrate)
