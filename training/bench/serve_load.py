"""Load test of the forecast service, loopback only and bounded in time: starts `python -m psychohistory serve` on a
fresh database, then
  1. one client, distinct seeds, for --seconds: throughput and latency of computed forecasts;
  2. --clients concurrent clients, distinct seeds, for --seconds: throughput (batching: vs phase 1) and p50/p99;
  3. the seeds of phase 1 again: cached latency, and the speed-up over computing;
  4. overload: --overload_clients clients against a queue bound of --max_queue, for --seconds: only 200s and 429s;
  5. an outcome for every forecast answered, then a restart: every forecast and outcome is in the database, and
     a request asked before the restart is answered from the cache.
Prints one JSON report (and writes it to --out); exits 1 if a target is missed: cached ≥ 50× faster, batched
throughput ≥ 3× one client's, no 5xx, nothing lost.

    python bench/serve_load.py --base_model=tiny --seconds=10 --clients=8 --out=serve-bench.json"""

from __future__ import annotations

import concurrent.futures
import itertools
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

TRAINING = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TRAINING))
from psychohistory.config import parse_args  # noqa: E402

TOKEN = "bench-token"
DEFAULTS = dict(
    base_model="tiny",
    adapter="",
    seconds=10.0,
    clients=8,
    overload_clients=32,
    max_queue=8,
    depth=2,
    breadth=2,
    num_samples=4,
    max_new_tokens=8,
    out="",
)


def start(db: Path, a: dict, *extra: str):
    env = {**os.environ, "PSYCHOHISTORY_TOKENS": TOKEN, "TOKENIZERS_PARALLELISM": "false"}
    args = [
        sys.executable,
        "-m",
        "psychohistory",
        "serve",
        "--port=0",
        f"--db={db}",
        f"--base_model={a['base_model']}",
        f"--num_samples={a['num_samples']}",
        f"--max_new_tokens={a['max_new_tokens']}",
        "--burst=100000",
        "--rate=100000",
        f"--max_batch={max(16, a['clients'])}",
        *extra,
    ]
    if a["adapter"]:
        args.append(f"--adapter={a['adapter']}")
    p = subprocess.Popen(args, cwd=TRAINING, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in p.stdout:
        m = re.search(r"on (http://\S+)", line)
        if m:
            threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()  # keep the pipe drained
            return p, m.group(1)
    raise SystemExit(f"the service did not start (exit {p.wait()})")


def stop(p):
    p.send_signal(signal.SIGINT)
    p.wait(timeout=60)


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def fresh_seeds(name: str):
    """Seed events no earlier request asked: "<name> event 0", "<name> event 1", …"""
    return iter(f"{name} event {i}" for i in itertools.count())


def load(url: str, clients: int, seconds: float, seeds, a: dict, statuses: list, answered: list) -> dict:
    """`clients` threads, each posting the next seed until `seconds` pass; latencies of 200s."""
    lat, lock, end = [], threading.Lock(), time.monotonic() + seconds

    def client():
        with httpx.Client(base_url=url, timeout=300, headers={"Authorization": f"Bearer {TOKEN}"}) as c:
            while time.monotonic() < end:
                with lock:
                    event = next(seeds)
                body = {"seed": {"event": event, "date": "2024-07-01"}, "depth": a["depth"], "breadth": a["breadth"]}
                t0 = time.perf_counter()
                r = c.post("/v1/forecast", json=body)
                dt = time.perf_counter() - t0
                with lock:
                    statuses.append(r.status_code)
                    if r.status_code == 200:
                        lat.append(dt)
                        answered.append((r.json()["id"], event))

    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda _: client(), range(clients)))
    wall = time.perf_counter() - t0
    return {
        "clients": clients,
        "answered": len(lat),
        "perSecond": len(lat) / wall,
        "p50_s": pct(lat, 0.5),
        "p99_s": pct(lat, 0.99),
    }


def main(argv: list[str]) -> int:
    a = dict(DEFAULTS)
    for k, v in parse_args(argv).items():
        if k not in DEFAULTS:
            raise SystemExit(f"unknown key {k!r}; known: {', '.join(DEFAULTS)}")
        a[k] = type(DEFAULTS[k])(v)
    tmp = Path(tempfile.mkdtemp(prefix="serve-bench-"))
    db = tmp / "serve.db"
    statuses, answered = [], []
    p, url = start(db, a, f"--max_queue={a['max_queue']}")
    report = {"config": a}
    try:
        warm = httpx.post(
            f"{url}/v1/forecast",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=300,
            json={"seed": {"event": "warm-up", "date": "2024-07-01"}, "depth": 1, "breadth": 1},
        )
        assert warm.status_code == 200, warm.text
        answered.append((warm.json()["id"], "warm-up"))
        report["single"] = load(url, 1, a["seconds"], fresh_seeds("Single client"), a, statuses, answered)
        report["concurrent"] = load(url, a["clients"], a["seconds"], fresh_seeds("Concurrent"), a, statuses, answered)
        report["batchingSpeedup"] = report["concurrent"]["perSecond"] / report["single"]["perSecond"]
        n = report["single"]["answered"]
        report["cached"] = load(
            url, 1, a["seconds"] / 2, itertools.cycle([f"Single client event {i}" for i in range(n)]), a, statuses, []
        )
        report["cacheSpeedup"] = report["single"]["p50_s"] / report["cached"]["p50_s"]
        report["overload"] = load(
            url, a["overload_clients"], a["seconds"], fresh_seeds("Overload"), a, statuses, answered
        )
        with httpx.Client(base_url=url, timeout=60, headers={"Authorization": f"Bearer {TOKEN}"}) as c:
            for fid, event in answered:  # an outcome for every forecast answered
                r = c.post("/v1/outcomes", json={"id": fid, "depth": 1, "event": f"what followed {event}"})
                statuses.append(r.status_code)
            report["metrics"] = {
                m.group(1): float(m.group(2))
                for m in re.finditer(
                    r"^psychohistory_(cache_hit_ratio|rate_limited_total|batches_total|batched_trees_total) (\S+)$",
                    c.get("/metrics").text,
                    re.M,
                )
            }
    finally:
        stop(p)
    with sqlite3.connect(db) as c:  # after the restart's shutdown: nothing lost, the file whole
        ids = {r[0] for r in c.execute("SELECT id FROM forecasts")}
        outcomes = c.execute("SELECT count(*) FROM outcomes").fetchone()[0]
        whole = c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    p, url = start(db, a)
    try:
        again = httpx.post(
            f"{url}/v1/forecast",
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=300,
            json={
                "seed": {"event": "Single client event 0", "date": "2024-07-01"},
                "depth": a["depth"],
                "breadth": a["breadth"],
            },
        ).json()
        track = httpx.get(f"{url}/v1/track", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    finally:
        stop(p)
    counts = {str(s): statuses.count(s) for s in sorted(set(statuses))}
    report["statuses"] = counts
    report["count429"] = statuses.count(429)
    report["count5xx"] = sum(1 for s in statuses if s >= 500)
    report["lost"] = {"forecasts": len({f for f, _ in answered} - ids), "outcomes": len(answered) - outcomes}
    report["afterRestart"] = {
        "cached": again.get("cached"),
        "resolved": sum(m["resolved"] for m in track["models"]),
        "databaseWhole": whole,
    }
    targets = {
        "cached ≥ 50× faster": report["cacheSpeedup"] >= 50,
        f"{a['clients']} clients ≥ 3× one client's throughput": report["batchingSpeedup"] >= 3,
        "no 5xx": report["count5xx"] == 0,
        "nothing lost": report["lost"] == {"forecasts": 0, "outcomes": 0} and whole,
        "restart keeps cache and outcomes": again.get("cached") is True
        and report["afterRestart"]["resolved"] == len(answered),
    }
    report["targets"] = targets
    text = json.dumps(report, indent=2)
    print(text)
    if a["out"]:
        Path(a["out"]).write_text(text + "\n")
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
