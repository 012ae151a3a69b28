"""Every setting read from the environment is in the README's configuration table, and
the list-valued ones parse as documented."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase, override_settings

from qingdan.core.checks import refuse_public_key

ROOT = Path(__file__).resolve().parents[3]
READS = re.compile(
    r'env_\w+\("([A-Z0-9_]+)"|os\.environ\.get\("([A-Z0-9_]+)"|os\.environ\["([A-Z0-9_]+)"\]'
    r'|"([A-Z0-9_]+)" in os\.environ'
)


def setting_from(env: dict, name: str) -> str:
    code = f"from django.conf import settings; print(repr(settings.{name}))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "qingdan.settings", **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return result.stdout.strip()


class SettingsFromEnvironmentTests(SimpleTestCase):
    def test_every_variable_is_documented(self):
        source = (ROOT / "qingdan" / "settings.py").read_text(encoding="utf-8")
        names = {next(group for group in match if group) for match in READS.findall(source)}
        self.assertIn("DATABASE_URL", names)
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        self.assertEqual(sorted(name for name in names if f"`{name}`" not in readme), [])

    def test_repeat_flag_kinds_from_a_comma_separated_list(self):
        self.assertEqual(
            setting_from(
                {"QINGDAN_STATS_REPEAT_FLAG_KINDS": " repeat, group_risk ,"},
                "QINGDAN_STATS_REPEAT_FLAG_KINDS",
            ),
            "('repeat', 'group_risk')",
        )


class PublicKeyRefusalTests(SimpleTestCase):
    """Issue 14.9: without DEBUG, nothing starts on the public development key (the
    encryption and digest keys of personal data derive from SECRET_KEY): not the
    commands (runserver, worker, migrate … run the system checks), not a WSGI server."""

    def run_python(self, env: dict, *args: str) -> subprocess.CompletedProcess:
        production = {
            name: value for name, value in os.environ.items() if name not in {"DEBUG", "SECRET_KEY"}
        }
        return subprocess.run(
            [sys.executable, *args],
            env={**production, "DJANGO_SETTINGS_MODULE": "qingdan.settings", **env},
            capture_output=True,
            text=True,
            cwd=ROOT,
        )

    def test_the_command_line_refuses_in_a_sentence(self):
        cli = self.run_python({}, "-m", "qingdan.cli", "check")
        self.assertEqual(cli.returncode, 1)
        self.assertIn("qingdan.E001", cli.stderr)
        self.assertIn("SECRET_KEY is not set", cli.stderr)
        self.assertNotIn("Traceback", cli.stderr)

    def test_checks_and_the_wsgi_application_refuse(self):
        public = "qingdan-insecure-development-key-change-me"
        with override_settings(DEBUG=False, SECRET_KEY=public):
            self.assertEqual([m.id for m in run_checks(tags=["security"])], ["qingdan.E001"])
            with self.assertRaisesMessage(ImproperlyConfigured, "refusing to start"):
                refuse_public_key()
        for changes in ({"DEBUG": True}, {"DEBUG": False, "SECRET_KEY": "a-long-random-value"}):
            with self.subTest(**changes), override_settings(**{"SECRET_KEY": public, **changes}):
                self.assertEqual(run_checks(tags=["security"]), [])
                refuse_public_key()
        self.assertIn("refuse_public_key()", (ROOT / "qingdan" / "wsgi.py").read_text())
