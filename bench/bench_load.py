"""`make bench`: load test of `dyads serve` on loopback over a million stored events.

Fills a temporary dyads database with synthetic mentions by DuckDB SQL (as
bench_series.py does, plus a realistic JSON record per mention), starts `dyads serve`
on 127.0.0.1 in its own process, and sends a bounded number of requests from a few
client threads (httpx) to `/events` (varied filters and pages) and `/series`. Reports
requests per second, p50/p99 latency and the error count for each endpoint. Only
loopback is ever contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_series import CODES, TYPES, build  # noqa: E402
from dyads.store import queries  # noqa: E402
from dyads.store.db import Store  # noqa: E402

# Give each synthetic mention a record shaped like a real one (~600 bytes), so /events
# pays for reading and decoding records as it would in production.
FILL_RECORDS = """
UPDATE mentions SET record = json_object(
    'id', id, 'article_id', article_id, 'date', date, 'date_precision', date_precision,
    'event', event, 'mode', NULL, 'context', [], 'quad_code', quad_code, 'event_scale', event_scale,
    'actor', [json_object('entity_text', actor_code, 'code', actor_code, 'sector', 'GOV')],
    'recipient', list_transform(recipient_codes, lambda c: json_object('entity_text', c, 'code', c, 'sector', 'GOV')),
    'event_text', 'met', 'text', 'Officials of the two governments met in the capital on Monday and said the talks had been useful for both sides.',
    'text_info', json_object('sentence', 0, 'start', 0, 'end', 112),
    'modality', json_object('negated', false, 'future', false, 'hypothetical', false, 'historical', false),
    'confidence', 0.8, 'coder', 'bench', 'rule', 'bench')
"""


def fill(path: Path, n: int) -> float:
    """The synthetic database (mentions, clusters, records); returns seconds taken."""
    start = time.perf_counter()
    build(path, n)
    with Store(path) as store:
        con = queries._con(store)  # noqa: SLF001 - a bench may fill tables directly
        con.execute("SET enable_progress_bar = false")
        con.execute(FILL_RECORDS)
        con.execute("CHECKPOINT")
    return time.perf_counter() - start


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, timeout: float = 120.0) -> subprocess.Popen[bytes]:
    """`dyads serve` on 127.0.0.1:port in its own process, once /health answers."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dyads", "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dyads serve exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("dyads serve did not answer in time")


def events_params(rng: random.Random) -> dict[str, Any]:
    """A random but valid /events query: filters as users combine them, a page."""
    params: dict[str, Any] = {"limit": rng.choice([20, 50, 100]), "offset": rng.choice([0, 0, 50, 500])}
    if rng.random() < 0.6:
        params["actor"] = rng.choice(CODES[:10])
    if rng.random() < 0.3:
        params["recipient"] = rng.choice(CODES[:10])
    if rng.random() < 0.4:
        params["event"] = rng.choice(TYPES)
    if rng.random() < 0.4:
        year = rng.choice([2018, 2019, 2020, 2021, 2022])
        params["since"], params["until"] = f"{year}-01-01", f"{year}-06-30"
    return params


def series_params(rng: random.Random) -> dict[str, Any]:
    """A random /series query for one actor, sometimes a dyad (as the dashboard asks)."""
    params: dict[str, Any] = {"by": rng.choice(["month", "month", "week", "year"]), "actor": rng.choice(CODES[:10])}
    if rng.random() < 0.5:
        params["recipient"] = rng.choice(CODES[:10])
    if rng.random() < 0.3:
        params["undirected"] = "true"
    return params


def hammer(base: str, path: str, make_params: Any, requests: int, threads: int, max_seconds: float,
           seed: int) -> dict[str, Any]:
    """Send up to ``requests`` GETs from ``threads`` clients within ``max_seconds``."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(requests))
    stop_at = time.monotonic() + max_seconds

    def client(i: int) -> None:
        rng = random.Random(seed * 100 + i)
        with httpx.Client(base_url=base, timeout=60) as http:
            while time.monotonic() < stop_at:
                with lock:
                    if next(counter, None) is None:
                        return
                params = make_params(rng)
                start = time.perf_counter()
                try:
                    r = http.get(path, params=params)
                    ok = r.status_code == 200
                    problem = f"{r.status_code} {params}"
                except httpx.HTTPError as exc:
                    ok, problem = False, f"{type(exc).__name__} {params}"
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    if not ok:
                        errors.append(problem)

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.perf_counter() - start
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")  # noqa: E731
    return {"requests": len(latencies), "errors": len(errors), "first_errors": errors[:3],
            "seconds": round(wall, 2), "requests_per_s": round(len(latencies) / wall, 1) if wall else 0.0,
            "p50_ms": round(pick(0.50) * 1000, 1), "p99_ms": round(pick(0.99) * 1000, 1),
            "max_ms": round(latencies[-1] * 1000, 1) if latencies else float("nan")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=400, help="Requests per endpoint (upper bound).")
    ap.add_argument("--threads", type=int, default=4, help="Concurrent client threads.")
    ap.add_argument("--max-seconds", type=float, default=60.0, help="Time bound per endpoint.")
    ap.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "load.duckdb"
        built = fill(db, args.events)
        port = free_port()
        server = start_server(db, port)
        try:
            base = f"http://127.0.0.1:{port}"
            results = {
                "/events": hammer(base, "/events", events_params, args.requests, args.threads, args.max_seconds, 1),
                "/series": hammer(base, "/series", series_params, max(1, args.requests // 4), args.threads,
                                  args.max_seconds, 2),
            }
            alive = httpx.get(f"{base}/health", timeout=30).json()["counts"]["mentions"]
        finally:
            server.terminate()
            server.wait(30)
    report = {"events": args.events, "build_seconds": round(built, 1), "threads": args.threads,
              "server_still_answers_with_mentions": alive, "endpoints": results}
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print(f"dyads serve on 127.0.0.1 over {args.events:,} synthetic events (built in {built:.1f}s), "
              f"{args.threads} client threads:")
        for path, r in results.items():
            print(f"  {path:<8} {r['requests']:5d} requests in {r['seconds']:6.2f}s  {r['requests_per_s']:7.1f} req/s"
                  f"  p50 {r['p50_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms  errors {r['errors']}")
    if any(r["errors"] for r in results.values()):
        sys.exit(f"errors: {[r['first_errors'] for r in results.values()]}")


if __name__ == "__main__":
    main()
