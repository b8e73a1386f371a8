#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # manage.py is the developer's entry point, so it defaults to development settings
    # (as `make run` and `make test` do). Production serves through gunicorn
    # (config.wsgi), where DEBUG defaults to false, and sets DEBUG=false explicitly for
    # its own manage.py commands (see docker-compose.yml and the Dockerfile).
    os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
