"""Not a benchmark: the bursts bench/cluster.py sends at both app servers at once, each
more than a limit allows (look-ups, the API's anonymous rate, failed logins, portal
submissions)."""

import http.client
import re
import secrets
import threading
import time
from collections import Counter
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

if TYPE_CHECKING:
    from cluster import Cluster

# The account whose password the login burst guesses.
LOGIN_TARGET = "zx_clerk"


def burst(
    cluster: "Cluster",
    method: str,
    path: str,
    headers: dict,
    body: str | None,
    sent: int,
    threads: int = 6,
) -> dict:
    """`sent` requests at once from several threads, each to the other server than the
    last; the answers' statuses counted."""
    statuses: Counter = Counter()
    lock = threading.Lock()

    def send(first: int) -> None:
        for number in range(first, sent, threads):
            parts = urlsplit(cluster.urls[number % 2])
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            with lock:
                statuses[response.status] += 1

    workers = [threading.Thread(target=send, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(300)
    return {"sent": sent, "statuses": dict(statuses)}


def lookup_burst(cluster: "Cluster", seeded: dict) -> dict:
    """Petitioner look-ups by one clerk on both servers at once, twice the limit and
    some: the stored look-ups say how many the two servers let through together."""
    csrf = secrets.token_hex(16)  # an unmasked 32-character token, cookie and header
    headers = {
        "Cookie": f"sessionid={seeded['session']}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    sent = 2 * cluster.options.lookups_per_minute + 5
    body = "petitioner_phone=13900000000"
    return burst(cluster, "POST", "/intake/check/", headers, body, sent)


def login_burst(cluster: "Cluster") -> dict:
    """Wrong passwords for one account from one address on both servers at once, three
    times the limit: the failures counted in Redis are the password checks made."""
    csrf = secrets.token_hex(16)
    headers = {
        "Cookie": f"csrftoken={csrf}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    body = f"username={LOGIN_TARGET}&password=not-the-password&csrfmiddlewaretoken={csrf}"
    sent = 3 * cluster.options.login_failures
    return burst(cluster, "POST", "/accounts/login/", headers, body, sent)


def portal_form(cluster: "Cluster", place: int, phone: str, title: str) -> tuple[dict, str]:
    """The portal's form answered as a person would (the sum asked on the page): the
    headers and body of its submission."""
    parts = urlsplit(cluster.urls[0])
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    conn.request("GET", "/portal/")
    page = conn.getresponse().read().decode()
    conn.close()
    label = re.search(r'<label for="id_answer">([^<]*)</label>', page).group(1)
    a, b = (int(n) for n in re.findall(r"\d+", label)[:2])
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    csrf = secrets.token_hex(16)
    headers = {"Cookie": f"csrftoken={csrf}", "Content-Type": "application/x-www-form-urlencoded"}
    data = {
        "name": "王建国",
        "phone": phone,
        "id_number": "",
        "place": place,
        "title": title,
        "content": "村东头排水沟堵塞，雨后积水漫到路上。",
        "answer": a + b,
        "token": token,
        "website": "",
        "csrfmiddlewaretoken": csrf,
    }
    return headers, urlencode(data)


def portal_bursts(cluster: "Cluster", seeded: dict) -> dict:
    """One answered form sent 8 times at once to both servers (one case expected), and
    8 forms, each answered, from one phone at once (the phone's limit of cases)."""
    place = seeded["place"]
    headers, body = portal_form(cluster, place, "13700000001", f"{cluster.run} P1 一答多交")
    replayed = burst(cluster, "POST", "/portal/", headers, body, 8, threads=8)
    forms = [
        portal_form(cluster, place, "13700000002", f"{cluster.run} P2 同一电话 {i}")
        for i in range(8)
    ]
    statuses: Counter = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(len(forms))

    def send(index: int) -> None:
        parts = urlsplit(cluster.urls[index % 2])
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        barrier.wait()
        conn.request("POST", "/portal/", body=forms[index][1], headers=forms[index][0])
        status = conn.getresponse().status
        conn.close()
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    return {"replayed": replayed, "one phone": {"sent": len(forms), "statuses": dict(statuses)}}


def api_burst(cluster: "Cluster") -> dict:
    """Anonymous API requests (the API's documentation page, which needs no account)
    from one address on both servers at once: the anonymous rate counted jointly lets
    exactly its limit through."""
    sent = 2 * cluster.options.api_anon_per_minute + 5
    # The rate is counted per clock minute: start the burst well inside one.
    if time.time() % 60 > 45:
        time.sleep(60.5 - time.time() % 60)
    return burst(cluster, "GET", "/api/v1/docs/", {}, None, sent)
