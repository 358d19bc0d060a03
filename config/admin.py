"""The admin site: Django's admin with the platform dashboard as its index page."""

from django.contrib import admin


class PlatformAdminSite(admin.AdminSite):
    site_header = "MCQ Practice administration"
    site_title = "MCQ Practice admin"
    index_title = "Admin dashboard"
    index_template = "admin/dashboard.html"
