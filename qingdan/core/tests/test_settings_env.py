"""Every setting read from the environment is in the README's configuration table, and
the list-valued ones parse as documented."""

import os
import re
import subprocess
import sys
from pathlib import Path

from django.test import SimpleTestCase

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
