"""Celery wiring: settings prefixed CELERY_ in config.settings, tasks found per app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("lean_okrs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
