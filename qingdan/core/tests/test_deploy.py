"""The production files in deploy/ and `qingdan serve`: the documented environment passes
`check --deploy`, nginx and systemd agree with the app, and `serve` starts gunicorn."""

import base64
import datetime as dt
import io
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from unittest import mock, skipUnless

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase
from django.urls import reverse

from qingdan.core.management.commands.serve import cpu_count

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"


def example_environment() -> dict[str, str]:
    """deploy/qingdan.env.example with the keys filled in as README's steps make them."""
    values = {}
    for line in (DEPLOY / "qingdan.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    values["SECRET_KEY"] = secrets.token_urlsafe(50)
    values["QINGDAN_ENCRYPTION_KEY"] = base64.urlsafe_b64encode(os.urandom(32)).decode()
    return values


def qingdan(*args: str, env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qingdan.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def bare_environment(**values: str) -> dict[str, str]:
    """Only what a service gets: PATH and the given variables, nothing of this shell."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tempfile.gettempdir()} | values


class ProductionEnvironmentTests(SimpleTestCase):
    def test_check_deploy_is_clean(self):
        result = qingdan(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            env=bare_environment(**example_environment()),
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues", result.stdout)

    def test_without_the_production_environment_check_deploy_warns(self):
        # The test above can fail: the defaults are not production settings.
        environment = example_environment()
        for name in ("SECURE_COOKIES", "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT"):
            del environment[name]
        result = qingdan(
            "check", "--deploy", "--fail-level", "WARNING", env=bare_environment(**environment)
        )
        self.assertNotEqual(result.returncode, 0)
        for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
            self.assertIn(warning, result.stderr)

    def test_every_variable_of_the_example_is_documented(self):
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        missing = [name for name in example_environment() if f"`{name}`" not in readme]
        self.assertEqual(missing, [])


class NginxSiteTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.site = (DEPLOY / "nginx" / "qingdan.conf").read_text(encoding="utf-8")
        cls.proxy = (DEPLOY / "nginx" / "qingdan-proxy.conf").read_text(encoding="utf-8")
        cls.environment = example_environment()

    @staticmethod
    def megabytes(text: str) -> int:
        return int(text.rstrip("m")) * 1024 * 1024

    def location(self, prefix: str) -> str:
        match = re.search(rf"location {re.escape(prefix)} \{{(.*?)\n    \}}", self.site, re.S)
        self.assertIsNotNone(match, prefix)
        assert match is not None
        return match.group(1)

    def test_body_sizes_admit_the_app_limits(self):
        server_wide = re.search(r"^    client_max_body_size (\d+m);", self.site, re.M)
        assert server_wide is not None
        self.assertGreater(
            self.megabytes(server_wide.group(1)), settings.QINGDAN_ATTACHMENT_MAX_BYTES
        )
        upload = self.location(f"= {reverse('intake:imports')}")
        size = re.search(r"client_max_body_size (\d+m);", upload)
        assert size is not None
        self.assertGreater(self.megabytes(size.group(1)), settings.QINGDAN_IMPORT_MAX_BYTES)

    def test_static_files_from_static_root_media_never(self):
        static = self.location("/" + settings.STATIC_URL.lstrip("/"))
        self.assertIn(f"alias {self.environment['STATIC_ROOT'].rstrip('/')}/;", static)
        self.assertIn("return 404;", self.location("/" + settings.MEDIA_URL.lstrip("/")))

    def test_forwarded_headers_and_timeouts(self):
        for header in ("X-Forwarded-For", "X-Forwarded-Proto", "Host"):
            self.assertRegex(self.proxy, rf"proxy_set_header {header} \$")
        read = re.search(r"^    proxy_read_timeout (\d+)s;", self.site, re.M)
        assert read is not None
        # nginx waits longer than gunicorn lets a request run.
        self.assertGreater(int(read.group(1)), 60)
        bind = self.environment["QINGDAN_BIND"]
        self.assertIn(f"server {bind} ", self.site)


def self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "qingdan.example.gov.cn")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert, private = directory / "fullchain.pem", directory / "privkey.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, private


@skipUnless(shutil.which("nginx"), "nginx is not installed")
class NginxSyntaxTests(SimpleTestCase):
    def test_nginx_accepts_the_site(self):
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            cert, key = self_signed(root)
            snippet = root / "qingdan-proxy.conf"
            shutil.copy(DEPLOY / "nginx" / "qingdan-proxy.conf", snippet)
            site = (DEPLOY / "nginx" / "qingdan.conf").read_text(encoding="utf-8")
            site = site.replace("/etc/nginx/snippets/qingdan-proxy.conf", str(snippet))
            site = site.replace("/etc/qingdan/tls/fullchain.pem", str(cert))
            site = site.replace("/etc/qingdan/tls/privkey.pem", str(key))
            (root / "site.conf").write_text(site, encoding="utf-8")
            (root / "nginx.conf").write_text(
                f"pid {root}/nginx.pid;\nerror_log {root}/error.log;\nevents {{}}\n"
                f"http {{ access_log off; include {root}/site.conf; }}\n",
                encoding="utf-8",
            )
            result = subprocess.run(
                ["nginx", "-t", "-p", folder, "-c", str(root / "nginx.conf"), "-e", "stderr"],
                capture_output=True,
                text=True,
            )
            self.assertEqual(result.returncode, 0, result.stderr)


class SystemdUnitTests(SimpleTestCase):
    def unit(self, name: str) -> dict[str, list[str]]:
        values: dict[str, list[str]] = {}
        for line in (DEPLOY / "systemd" / name).read_text(encoding="utf-8").splitlines():
            if "=" in line and not line.startswith("#"):
                key, _, value = line.partition("=")
                values.setdefault(key, []).append(value)
        return values

    def test_units_run_hardened_as_qingdan_with_the_environment_file(self):
        data_dir = example_environment()["QINGDAN_DATA_DIR"]
        for name, command in [
            ("qingdan-web.service", "qingdan serve"),
            ("qingdan-worker@.service", "qingdan worker"),
        ]:
            with self.subTest(unit=name):
                unit = self.unit(name)
                self.assertEqual(unit["User"], ["qingdan"])
                self.assertEqual(unit["EnvironmentFile"], ["/etc/qingdan/env"])
                self.assertTrue(unit["ExecStart"][0].endswith(f"/bin/{command}"))
                self.assertEqual(unit["NoNewPrivileges"], ["yes"])
                self.assertEqual(unit["ProtectSystem"], ["strict"])
                self.assertEqual(unit["ReadWritePaths"], [data_dir])


class ServeCommandTests(SimpleTestCase):
    def dry_run(self, *args: str, **environment: str) -> str:
        out = io.StringIO()
        # The command reads its defaults from the environment when it builds its parser.
        with mock.patch.dict(os.environ, environment):
            for name in ("QINGDAN_BIND", "QINGDAN_WEB_WORKERS", "DB_CONN_MAX_AGE"):
                if name not in environment:
                    os.environ.pop(name, None)
            call_command("serve", "--dry-run", *args, stdout=out)
        return out.getvalue()

    def option(self, output: str, name: str) -> list[str]:
        return re.findall(rf"--{name} (\S+)", output)

    def test_processes_and_threads_from_the_cpu_count(self):
        output = self.dry_run()
        self.assertIn("-m gunicorn qingdan.wsgi:application", output)
        self.assertEqual(self.option(output, "workers"), [str(cpu_count() + 1)])
        self.assertEqual(self.option(output, "threads"), ["4"])
        self.assertEqual(self.option(output, "worker-class"), ["gthread"])
        self.assertEqual(self.option(output, "bind"), ["127.0.0.1:8000"])
        self.assertIn("DB_CONN_MAX_AGE=600 DB_CONN_HEALTH_CHECKS=true", output)

    def test_environment_and_options_override(self):
        output = self.dry_run(
            QINGDAN_BIND="0.0.0.0:8001,unix:/run/qingdan.sock",
            QINGDAN_WEB_WORKERS="5",
            DB_CONN_MAX_AGE="60",
        )
        self.assertEqual(self.option(output, "bind"), ["0.0.0.0:8001", "unix:/run/qingdan.sock"])
        self.assertEqual(self.option(output, "workers"), ["5"])
        self.assertIn("DB_CONN_MAX_AGE=60", output)
        output = self.dry_run(
            "--bind", "127.0.0.1:9000", "--threads", "8", "--", "--log-level", "debug"
        )
        self.assertEqual(self.option(output, "bind"), ["127.0.0.1:9000"])
        self.assertEqual(self.option(output, "threads"), ["8"])
        self.assertEqual(self.option(output, "log-level"), ["debug"])

    def test_bad_numbers_are_refused(self):
        with self.assertRaisesMessage(CommandError, "QINGDAN_WEB_THREADS"):
            self.dry_run(QINGDAN_WEB_THREADS="four")
        with self.assertRaisesMessage(CommandError, "--workers must be at least 1"):
            self.dry_run("--workers", "0")

    def test_serves_requests_and_stops_on_sigterm(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with tempfile.TemporaryDirectory() as data:
            environment = bare_environment(
                QINGDAN_DATA_DIR=data,
                QINGDAN_TRIAGE_AT_INTAKE="worker",
                PYTHONPATH=str(ROOT),
                SECRET_KEY=secrets.token_urlsafe(50),
            )
            # `serve` refuses a missing database (qingdan.core.database): set one up first.
            subprocess.run(
                [sys.executable, "-m", "qingdan.cli", "migrate", "-v", "0"],
                env=environment,
                cwd=data,
                check=True,
                capture_output=True,
            )
            server = subprocess.Popen(
                [sys.executable, "-m", "qingdan.cli", "serve", "--bind", f"127.0.0.1:{port}"]
                + ["--workers", "1", "--threads", "2"],
                env=environment,
                cwd=data,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            try:
                status = None
                deadline = time.monotonic() + 30
                while status is None and time.monotonic() < deadline:
                    try:
                        url = f"http://127.0.0.1:{port}/accounts/login/"
                        with urllib.request.urlopen(url, timeout=5) as response:
                            status = response.status
                    except OSError:
                        time.sleep(0.3)
                self.assertEqual(status, 200)
            finally:
                server.send_signal(signal.SIGTERM)
                output, _ = server.communicate(timeout=30)
            self.assertEqual(server.returncode, 0, output)
            self.assertIn("gthread", output)
