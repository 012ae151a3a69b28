"""The `qingdan` console script: Django's manage.py with our settings preselected.

A command that uses the database is refused, with a sentence saying what to do, when
the database is missing or not migrated (`qingdan.core.database`).
"""

import os
import sys

import django
from django.core.exceptions import ImproperlyConfigured
from django.core.management import execute_from_command_line

from qingdan.core.database import command_needs_database, database_problem


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdan.settings")
    args = list(argv if argv is not None else sys.argv[1:])
    try:
        django.setup()
    except (ImproperlyConfigured, ImportError):
        pass  # as manage.py: Django's command line reports broken settings itself
    else:
        problem = database_problem() if command_needs_database(args) else None
        if problem:
            sys.stderr.write(f"{problem}\n")
            sys.exit(2)
    execute_from_command_line(["qingdan", *args])


if __name__ == "__main__":
    main()
