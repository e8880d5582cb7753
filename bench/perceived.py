"""Perceived speed: Chromium studies flashcards with the keyboard while wrk drives 32 other
students through the same server (gunicorn, 2 workers).

For each card: Space reveals the back (it must send no request), then a rating key; the time
from that key to the next card's prompt being on screen (the frame after it is swapped in) is
measured in the page with performance.now(). Reports p50/p95 over the cards.

    .venv/bin/python -m bench.perceived [--cards 50] [--clients 32] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

import sqlalchemy as sa

from bench import load
from bench.data import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
# In the page: when a rating key goes down, and when the next prompt has been painted.
TIMING = """() => {
  window.benchLatencies = [];
  document.addEventListener("keydown", (event) => {
    if (/^[1-4]$/.test(event.key)) { window.benchKeyAt = performance.now(); }
  }, true);
  new MutationObserver(() => {
    if (window.benchKeyAt == null || !document.querySelector("#study #prompt")) { return; }
    const started = window.benchKeyAt;
    window.benchKeyAt = null;
    requestAnimationFrame(() => window.benchLatencies.push(performance.now() - started));
  }).observe(document.querySelector("main"), {childList: true, subtree: true});
}"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def study_in_chromium(port: int, email: str, cards: int) -> dict:
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # The harness evaluates its own probes in the page, which the app's CSP would refuse.
        page = browser.new_context(bypass_csp=True).new_page()
        page.set_default_timeout(20_000)
        page.goto(base + "/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(base + "/study/session?scope=all")
        page.wait_for_load_state()
        page.evaluate(TIMING)
        sent: list[str] = []
        page.on("request", lambda r: sent.append(r.url) if "/static/" not in r.url else None)
        reveal_requests = 0
        for n in range(cards):
            page.locator("#study [data-reveal]").wait_for(state="attached")
            page.keyboard.press("Space")
            page.locator("#study [data-reveal]").wait_for(state="visible")
            reveal_requests += len(sent)
            page.keyboard.press("3" if n % 3 else "1")
            page.wait_for_function(f"window.benchLatencies.length > {n}")
            sent.clear()
        latencies = page.evaluate("window.benchLatencies")
        browser.close()
    return {"cards": len(latencies), "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1),
            "max_ms": round(max(latencies), 1), "requests_to_reveal": reveal_requests}


def run(cards: int, clients: int, database_url: str | None, workers: int = 2) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        logdir = Path(tmp)
        url = database_url or f"sqlite:///{logdir / 'bench.sqlite3'}"
        emails = load.prepare_database(url, clients + 1, 200)
        with load.gunicorn("quizapp:create_app()", load.server_env(url), workers, logdir) as (
                port, _process, _log):
            wrk = None
            if clients:
                cookies = load.write_cookies(port, emails[:clients], logdir / "cookies.txt")
                wrk = load.start_wrk(port, clients, 600, cookies, "js")
            try:
                result = study_in_chromium(port, emails[-1], cards)
            finally:
                if wrk is not None:
                    wrk.terminate()
                    wrk.communicate(timeout=15)  # and close its pipes
    return {"backend": sa.make_url(url).get_backend_name(), "clients_beside": clients,
            **result}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cards", type=int, default=50)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    result = run(args.cards, args.clients, args.database_url)
    print(f"{result['backend']}: {result['cards']} cards in Chromium beside {args.clients} "
          f"students: key to next prompt p50 {result['p50_ms']} ms, p95 {result['p95_ms']} "
          f"ms; requests to reveal {result['requests_to_reveal']}")
    return {"perceived": result}


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
