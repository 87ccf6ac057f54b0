"""The forecast service's database (SQLite): every forecast with its model version and time, every outcome, and the
cache, which is the forecasts table itself (a forecast younger than the TTL answers an identical request). One
connection behind a lock, WAL journal, each write one transaction: a refused or failed request leaves nothing half
written. `track` scores resolved levels with the metric math of metrics.py."""

from __future__ import annotations

import json
import math
import sqlite3
import threading
import time
from datetime import datetime, timezone

from . import matching, metrics

SCHEMA = """
CREATE TABLE IF NOT EXISTS forecasts (
  id TEXT PRIMARY KEY,
  key TEXT NOT NULL,              -- cache key: normalised seed event, date, depth, breadth, model version
  model TEXT NOT NULL,            -- model version
  created REAL NOT NULL,          -- unix seconds
  request TEXT NOT NULL,          -- the request body as received (JSON)
  tree TEXT NOT NULL,             -- the contract-4 tree answered (JSON)
  hits INTEGER NOT NULL DEFAULT 0 -- times it was answered from the cache
);
CREATE INDEX IF NOT EXISTS forecasts_key ON forecasts(key, created);
CREATE TABLE IF NOT EXISTS outcomes (
  forecast_id TEXT NOT NULL REFERENCES forecasts(id),
  depth INTEGER NOT NULL,
  event TEXT NOT NULL,
  created REAL NOT NULL,
  nll REAL,                       -- live perplexity: summed cross-entropy of the event under the forecast's model
  ntok INTEGER,                   -- and its token count (NULL when that model was not at hand)
  PRIMARY KEY (forecast_id, depth)
);
"""


class Conflict(Exception):
    """The request contradicts what is recorded (answered 409)."""


class NotFound(Exception):
    """The request names something that is not recorded (answered 404)."""


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class Store:
    def __init__(self, path: str):
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.lock = threading.Lock()
        with self.lock:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a killed process loses nothing committed
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.executescript(SCHEMA)
            cols = {r[1] for r in self.db.execute("PRAGMA table_info(outcomes)")}
            for col, typ in (("nll", "REAL"), ("ntok", "INTEGER")):  # a database from before live perplexity
                if col not in cols:
                    self.db.execute(f"ALTER TABLE outcomes ADD COLUMN {col} {typ}")

    def close(self):
        with self.lock:
            self.db.close()

    def _tx(self, fn):
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                out = fn(self.db)
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
            return out

    def add_forecast(self, fid: str, key: str, model: str, request: dict, tree: dict, created: float | None = None):
        row = (fid, key, model, created or time.time(), json.dumps(request), json.dumps(tree))
        self._tx(
            lambda db: db.execute(
                "INSERT INTO forecasts (id, key, model, created, request, tree) VALUES (?, ?, ?, ?, ?, ?)", row
            )
        )

    def cached(self, key: str, ttl_s: float) -> tuple[str, dict, float] | None:
        """(id, tree, created) of the newest forecast for `key` younger than `ttl_s`, counting the hit."""

        def find(db):
            r = db.execute(
                "SELECT id, tree, created FROM forecasts WHERE key = ? AND created > ? ORDER BY created DESC LIMIT 1",
                (key, time.time() - ttl_s),
            ).fetchone()
            if r:
                db.execute("UPDATE forecasts SET hits = hits + 1 WHERE id = ?", (r[0],))
            return r

        r = self._tx(find)
        return (r[0], json.loads(r[1]), r[2]) if r else None

    def hit(self, fid: str):
        self._tx(lambda db: db.execute("UPDATE forecasts SET hits = hits + 1 WHERE id = ?", (fid,)))

    def forecast(self, fid: str) -> dict | None:
        with self.lock:
            r = self.db.execute("SELECT id, model, created, tree, hits FROM forecasts WHERE id = ?", (fid,)).fetchone()
        return {"id": r[0], "model": r[1], "created": r[2], "tree": json.loads(r[3]), "hits": r[4]} if r else None

    def add_outcome(self, fid: str, depth: int, event: str) -> float:
        def add(db):
            r = db.execute("SELECT tree FROM forecasts WHERE id = ?", (fid,)).fetchone()
            if r is None:
                raise NotFound(f"no forecast with id {fid!r}")
            deepest = tree_depth(json.loads(r[0]))
            if depth > deepest:
                raise Conflict(f"forecast {fid} has {deepest} level(s); depth {depth} cannot be resolved")
            if db.execute("SELECT 1 FROM outcomes WHERE forecast_id = ? AND depth = ?", (fid, depth)).fetchone():
                raise Conflict(f"forecast {fid} already has an outcome at depth {depth}")
            now = time.time()
            db.execute(
                "INSERT INTO outcomes (forecast_id, depth, event, created) VALUES (?, ?, ?, ?)",
                (fid, depth, event, now),
            )
            return now

        return self._tx(add)

    def set_nll(self, fid: str, depth: int, nll: float, ntok: int):
        self._tx(
            lambda db: db.execute(
                "UPDATE outcomes SET nll = ?, ntok = ? WHERE forecast_id = ? AND depth = ?", (nll, ntok, fid, depth)
            )
        )

    def outcomes_of(self, fid: str) -> dict[int, str]:
        with self.lock:
            return dict(self.db.execute("SELECT depth, event FROM outcomes WHERE forecast_id = ?", (fid,)).fetchall())

    def listing(self, open_only: bool, limit: int) -> dict:
        """The newest forecasts (GET /v1/forecasts): each with its request, tree and the outcomes recorded so far;
        `open` while a level of the tree has no outcome yet. open_only keeps only those (the editor's Predictions).
        Rows are read newest first and only until `limit` are found, not the whole table."""
        out = []
        with self.lock:
            rows = self.db.execute("SELECT id, model, created, request, tree FROM forecasts ORDER BY created DESC, id")
            for fid, model, created, request, tree in rows:
                tree = json.loads(tree)
                outs = [
                    {"depth": d, "event": e, "recordedAt": iso(t)}
                    for d, e, t in self.db.execute(
                        "SELECT depth, event, created FROM outcomes WHERE forecast_id = ? ORDER BY depth", (fid,)
                    )
                ]
                is_open = len(outs) < tree_depth(tree)
                if open_only and not is_open:
                    continue
                req = json.loads(request)
                out.append(
                    {
                        "id": fid,
                        "model": model,
                        "createdAt": iso(created),
                        "request": {k: req[k] for k in ("seed", "depth", "breadth")},
                        "tree": tree,
                        "outcomes": outs,
                        "open": is_open,
                    }
                )
                if len(out) >= limit:
                    break
        return {"forecasts": out}

    def counts(self) -> dict:
        with self.lock:
            f = self.db.execute("SELECT count(*) FROM forecasts").fetchone()[0]
            o = self.db.execute("SELECT count(*) FROM outcomes").fetchone()[0]
        return {"forecasts": f, "outcomes": o}

    def track(self) -> dict:
        """Per model version: forecasts, resolved levels, Brier, skill, ECE, match rate, and the same scores
        cumulatively per day of outcome (contract 5 `GET /v1/track`)."""
        with self.lock:
            models = self.db.execute("SELECT model, count(*) FROM forecasts GROUP BY model ORDER BY model").fetchall()
            rows = self.db.execute(
                "SELECT f.model, f.tree, o.forecast_id, o.depth, o.event, o.created, o.nll, "
                "o.ntok FROM outcomes o JOIN forecasts f ON f.id = o.forecast_id "
                "ORDER BY o.created"
            ).fetchall()
        outcomes: dict[str, dict[int, str]] = {}
        for _, _, fid, depth, event, *_ in rows:
            outcomes.setdefault(fid, {})[depth] = event
        levels: dict[str, list[dict]] = {}
        for model, tree, fid, depth, _, created, nll, ntok in rows:
            lv = resolved_levels(json.loads(tree), outcomes[fid]).get(depth)
            if lv is not None:
                levels.setdefault(model, []).append({**lv, "created": created, "nll": nll, "ntok": ntok})
        out = []
        for model, n in models:
            lvs = levels.get(model, [])
            series, day_end = [], {}
            for i, lv in enumerate(lvs):
                day_end[iso(lv["created"])[:10]] = i + 1
            for day, upto in day_end.items():
                series.append({"date": day, "resolved": upto, **scores(lvs[:upto])})
            out.append(
                {
                    "model": model,
                    "forecasts": n,
                    "resolved": len(lvs),
                    **scores(lvs),
                    "matchRate": (sum(lv["inForecast"] for lv in lvs) / len(lvs)) if lvs else None,
                    "series": series,
                }
            )
        return {"models": out}


def tree_depth(tree: dict) -> int:
    d, nodes = 0, tree.get("children", [])
    while nodes:
        d += 1
        nodes = [c for n in nodes for c in n["children"]]
    return d


def resolved_levels(tree: dict, outcomes: dict[int, str]) -> dict[int, dict]:
    """The forecast levels that outcomes resolve: {depth: {probs, labels, inForecast, earlier}}. Depth 1 is the
    seed's children; each deeper level is the children of the node the recorded outcome matched one level up (exact
    or semantic, the best score), or of the most likely node there when the outcome matched none or is not recorded
    yet. The service forecasts without candidates, so a level is its nodes plus "something else", which holds the
    sample share the tree does not list (1 - the nodes' probabilities): the node matching the outcome gets label 1,
    or, when none matches, "something else" does. So a forecast is a whole distribution and Brier stays proper — a
    tree that spreads thin probability over events that did not happen cannot score well by missing.
    `earlier`: the events before the level — recorded outcomes, else the node followed — the context in which the
    outcome's live perplexity is measured."""
    out, nodes, depth, earlier = {}, tree.get("children", []), 1, []
    while nodes:
        hit = None
        if depth in outcomes:
            best = -1.0
            for i, m in enumerate(matching.default().match_many((n["event"], outcomes[depth]) for n in nodes)):
                if m.kind in ("exact", "semantic") and m.score > best:
                    hit, best = i, m.score
            probs = [n["probability"] for n in nodes]
            out[depth] = {
                "probs": probs + [max(0.0, 1.0 - sum(probs))],
                "labels": [int(i == hit) for i in range(len(nodes))] + [int(hit is None)],
                "inForecast": hit is not None,
                "earlier": list(earlier),
            }
        nxt = nodes[hit] if hit is not None else max(nodes, key=lambda n: n["probability"])
        earlier.append(outcomes.get(depth, nxt["event"]))
        nodes, depth = nxt["children"], depth + 1
    return out


def scores(levels: list[dict]) -> dict:
    """Brier, skill against the uniform forecast on the same levels, and ECE (metrics.py), or nulls for none; live
    perplexity (token-weighted, as evaluation's) over the levels whose outcome was scored by the model."""
    scored = [lv for lv in levels if lv.get("ntok")]
    ppl = math.exp(min(700.0, sum(lv["nll"] for lv in scored) / sum(lv["ntok"] for lv in scored))) if scored else None
    if not levels:
        return {"brier": None, "brierSkill": None, "ece": None, "perplexity": None}
    return {**metrics.readout(levels, "probs"), "perplexity": ppl}
