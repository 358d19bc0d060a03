"""App configs: `config` itself (operations commands) and the platform's admin site."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ConfigConfig(AppConfig):
    default = True
    name = "config"
    verbose_name = "Platform operations"


class PlatformAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "config.admin.PlatformAdminSite"
