#!/usr/bin/env python3
"""Screenshots of the main pages for docs/screenshots/, desktop and phone widths.

    .venv/bin/python scripts/screenshots.py            # own demo county + server
    .venv/bin/python scripts/screenshots.py --url http://127.0.0.1:8000   # a running demo

Without --url it loads the demo county (`qingdan demo --no-serve`) into a temporary
directory, runs one pass of the deadline worker (`qingdan worker --once`), starts
`qingdan runserver --insecure` on a free port, drives Debian's chromium with Playwright,
and stops the server again.
"""

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
QINGDAN = [sys.executable, "-m", "qingdan.cli"]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
DEMO_PASSWORD = "qingdan-demo"
SUPERVISOR = "supervisor"  # the demo's city supervisor sees every open case


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server at {url} did not answer")


def start_demo_server(data_dir: Path) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "QINGDAN_DATA_DIR": str(data_dir), "DEBUG": "false"}
    # Without DEBUG the server refuses the public development key; a throw-away county.
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    env.pop("DATABASE_URL", None)  # always a throw-away SQLite county
    subprocess.run(
        [*QINGDAN, "demo", "--no-serve"],
        env=env,
        cwd=data_dir,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # One pass of the deadline worker, as `scripts/demo` runs it: warnings, overdue
    # flags and supervision notices for the supervision board.
    subprocess.run(
        [*QINGDAN, "worker", "--once"],
        env=env,
        cwd=data_dir,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    server = subprocess.Popen(
        [*QINGDAN, "runserver", f"127.0.0.1:{port}", "--insecure", "--noreload"],
        env=env,
        cwd=data_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/portal/")
    return server, url


def log_in(page, url: str, username: str) -> None:
    page.goto(url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(url + "/")


def solve_challenge(page) -> None:
    label = page.inner_text("label[for=id_answer]")
    numbers = [int(part) for part in "".join(c if c.isdigit() else " " for c in label).split()]
    page.fill("#id_answer", str(sum(numbers[:2])))


def shoot(page, folder: Path, name: str, size: str) -> None:
    path = folder / f"{name}-{size}.png"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path))
    print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


def capture(url: str, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for size, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            page = context.new_page()
            # The citizen portal: submit a problem, then look it up.
            page.goto(url + "/portal/")
            page.fill("#id_name", "王建国")
            page.fill("#id_phone", "13912345678")
            page.select_option("#id_place", label="欧家夼村")
            page.fill("#id_title", "村东头排水沟堵塞")
            page.fill("#id_content", "村东头排水沟被垃圾堵塞，下雨后积水漫到路上，请尽快清理。")
            page.select_option("#id_category", label="城乡建设")
            solve_challenge(page)
            shoot(page, folder, "portal-submit", size)
            page.click("#portal-submit button[type=submit]")
            number = page.inner_text("#tracking-number").strip()
            # The staff workbench.
            log_in(page, url, SUPERVISOR)
            shoot(page, folder, "queue", size)
            page.locator(".case-item a.title").first.click()
            page.wait_for_selector("#timeline")
            page.locator("#actions details").first.evaluate("el => el.open = true")
            shoot(page, folder, "case", size)
            page.goto(url + "/intake/")
            page.fill("#id_petitioner_name", "王建国")
            page.fill("#id_petitioner_phone", "13912345678")
            page.locator("#id_petitioner_phone").dispatch_event("change")
            page.wait_for_selector("#related-open-cases")
            page.fill("#id_title", "排水沟再次堵塞")
            shoot(page, folder, "intake", size)
            page.goto(url + "/supervision/")
            shoot(page, folder, "supervision", size)
            page.goto(url + "/stats/")
            shoot(page, folder, "stats", size)
            # The supervisor answers the citizen's problem, who then looks it up.
            page.goto(f"{url}/?scope=all&q={number}")
            page.locator(".case-item a.title").first.click()
            page.click("#action-resolve_on_the_spot summary")
            page.fill(
                "#id_resolve_on_the_spot_reply_text", "已安排村保洁员清理排水沟，积水已排除。"
            )
            page.click("#action-resolve_on_the_spot button[type=submit]")
            page.wait_for_selector("#outcome")
            page.click("form.logout button")
            page.wait_for_url(url + "/accounts/login/")
            page.goto(url + "/portal/track/")
            page.fill("#id_tracking_number", number)
            page.fill("#id_phone", "13912345678")
            page.click("#portal-track button[type=submit]")
            page.wait_for_selector("#portal-timeline")
            shoot(page, folder, "portal-lookup", size)
            context.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running Qingdan demo (default: start one)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    if args.url:
        capture(args.url.rstrip("/"), Path(args.out))
        return
    with tempfile.TemporaryDirectory(prefix="qingdan-shots-") as tmp:
        server, url = start_demo_server(Path(tmp))
        try:
            capture(url, Path(args.out))
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
