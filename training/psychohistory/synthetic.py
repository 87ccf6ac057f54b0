"""A deterministic synthetic case generator with a signal a model can learn.

Each domain has trigger events, and each trigger has a causal chain of four follow-ups. A case picks a trigger and an
entity, then per depth the chain's next event is the actual outcome with probability `p_signal`; otherwise one of the
distractors is (label noise, so a calibrated model says about p_signal, not 1). Distractors come from the same domain
and entity, so the model has to know which chain a seed starts, not just which words look alike."""
from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass

from .metrics import jaccard

COUNTRIES = ["Brazil", "Canada", "Japan", "Kenya", "Norway", "Chile", "India", "Poland", "Mexico", "Vietnam",
             "Spain", "Egypt"]
COMPANIES = ["Nimbus Labs", "Quantix", "Orbitel", "Helio Systems", "Vantara", "Cobalt AI", "Pinecrest Software",
             "Lumen Devices", "Arcwave", "Tessera Cloud"]
REGIONS = ["Florida", "Queensland", "Bavaria", "Ontario", "Gujarat", "Patagonia", "Hokkaido", "Texas", "Sicily",
           "Manitoba"]
CLUBS = ["Riverside United", "Northgate Rovers", "Port Alder FC", "Kingsmoor City", "Eastbay Athletic",
         "Highfield Wanderers", "Stonebridge Town", "Lakeshore Albion"]

# domain -> (entities, {trigger: chain of 4 follow-ups}, extra distractors)
DOMAINS = {
    "markets": (COUNTRIES, {
        "Central bank of {e} raises interest rates by half a point": [
            "Government bond yields in {e} climb", "Mortgage applications in {e} drop sharply",
            "Housing starts in {e} slow for a second quarter", "Construction employment in {e} declines"],
        "Stock market in {e} falls ten percent in a week": [
            "Investors move money into {e} government bonds", "Central bank of {e} signals a pause in tightening",
            "Consumer confidence in {e} weakens", "Retail sales in {e} come in below forecasts"],
        "Currency of {e} hits a record low against the dollar": [
            "Import prices in {e} jump", "Inflation in {e} accelerates",
            "Central bank of {e} intervenes in currency markets", "Foreign reserves of {e} shrink"],
    }, ["Trading volume on the {e} exchange hits a record", "A major bank in {e} announces a share buyback",
        "Commodity exporters in {e} report strong earnings"]),
    "tech": (COMPANIES, {
        "{e} announces layoffs of ten percent of staff": [
            "{e} shares rise on cost cutting hopes", "{e} cancels two hardware projects",
            "Former {e} engineers found startups", "{e} reports higher operating margin"],
        "{e} suffers a major data breach": [
            "{e} stock slides after the breach", "Regulators open an investigation into {e}",
            "{e} faces a class action lawsuit", "{e} hires a new security chief"],
        "{e} launches a new AI assistant": [
            "Rivals of {e} rush out competing assistants", "{e} cloud revenue grows faster",
            "{e} raises its annual guidance", "{e} expands its data center capacity"],
    }, ["{e} delays its flagship product launch", "{e} opens a new office in Berlin",
        "{e} founder steps down as chief executive"]),
    "politics": (COUNTRIES, {
        "Snap election called in {e}": [
            "Opposition in {e} forms a joint ticket", "Polls in {e} show a tight race",
            "Coalition government formed in {e}", "New government in {e} unveils its budget"],
        "Mass protests erupt over fuel taxes in {e}": [
            "Government of {e} suspends the fuel tax rise", "Finance minister of {e} resigns",
            "Ratings agency puts {e} on negative watch", "Parliament of {e} passes emergency spending cuts"],
        "{e} signs a free trade agreement with its neighbour": [
            "Exports from {e} to its neighbour increase", "Farmers in {e} protest cheaper imports",
            "{e} lowers tariffs on machinery", "Foreign investment in {e} rises"],
    }, ["President of {e} reshuffles the cabinet", "{e} hosts a regional summit",
        "Supreme court of {e} rules on voting maps"]),
    "energy": (COUNTRIES, {
        "Oil producers in {e} agree to cut output": [
            "Brent crude price rises on the {e} cut", "Airlines in {e} add fuel surcharges",
            "Petrol prices in {e} reach a two year high", "Demand for electric cars in {e} grows"],
        "Heat wave strains the power grid in {e}": [
            "Electricity prices in {e} spike", "Rolling blackouts hit {e}",
            "Government of {e} orders grid upgrades", "Battery storage orders in {e} surge"],
        "{e} approves a large offshore wind farm": [
            "Turbine makers win orders from {e}", "Fishing groups in {e} challenge the wind farm",
            "Construction of the {e} wind farm begins", "Renewable share of power in {e} rises"],
    }, ["{e} reports record natural gas storage", "A refinery in {e} shuts for maintenance",
        "{e} extends a nuclear plant licence"]),
    "weather": (REGIONS, {
        "Hurricane makes landfall in {e}": [
            "Flooding forces evacuations in {e}", "Insurers in {e} face large claims",
            "Federal disaster aid flows to {e}", "Rebuilding in {e} lifts construction jobs"],
        "Severe drought declared in {e}": [
            "Crop yields in {e} fall", "Water restrictions imposed in {e}",
            "Food prices in {e} rise", "Farmers in {e} receive drought relief"],
        "Record snowfall hits {e}": [
            "Schools close across {e}", "Flights cancelled at airports in {e}",
            "Retail sales in {e} dip for the month", "Spring floods threaten {e}"],
    }, ["Mild winter reported in {e}", "Wildfire season starts early in {e}",
        "{e} opens a new weather radar station"]),
    "health": (COUNTRIES, {
        "New flu strain detected in {e}": [
            "Health ministry of {e} raises the alert level", "Vaccine makers start work on a {e} strain vaccine",
            "Hospitals in {e} report rising admissions", "Flu cases in {e} peak and decline"],
        "Regulator in {e} approves a new diabetes drug": [
            "Drug maker shares jump after {e} approval", "Insurers in {e} agree to cover the drug",
            "Prescriptions of the drug in {e} grow fast", "Price of the diabetes drug in {e} comes under scrutiny"],
        "Nurses in {e} go on strike": [
            "Elective surgeries postponed across {e}", "Government of {e} offers a pay rise to nurses",
            "Nurses strike in {e} ends with a deal", "Waiting lists in {e} lengthen"],
    }, ["{e} opens a new cancer research centre", "Life expectancy in {e} rises slightly",
        "{e} launches a campaign against smoking"]),
    "sport": (CLUBS, {
        "{e} sacks its head coach after a losing streak": [
            "{e} appoints an interim coach", "{e} wins its next home match",
            "{e} signs a new striker", "{e} climbs out of the relegation zone"],
        "{e} star player suffers a knee injury": [
            "{e} star player ruled out for the season", "{e} loses three straight games",
            "{e} falls out of the title race", "{e} star player returns to training"],
        "{e} wins the national cup final": [
            "{e} fans celebrate with a parade", "{e} qualifies for continental competition",
            "{e} head coach signs a contract extension", "Ticket prices at {e} go up"],
    }, ["{e} opens a new training ground", "{e} announces a new shirt sponsor",
        "{e} youth team wins a tournament"]),
}


@dataclass
class SyntheticConfig:
    n_cases: int = 600                # cases to write
    seed: int = 1337                  # everything below is a pure function of this seed
    eval_fraction: float = 0.2        # share of cases in the eval split (the rest is train)
    p_signal: float = 0.85            # chance that a level's actual is the chain's next event
    min_depth: int = 1                # shallowest case
    max_depth: int = 4                # deepest case
    min_candidates: int = 2           # fewest candidates per level
    max_candidates: int = 6           # most candidates per level
    out: str = "data/synthetic.cases.jsonl"  # output path (relative to training/ when run from there)


def _random_date(rng: random.Random) -> str:
    start, end = dt.date(2018, 1, 1), dt.date(2022, 12, 31)
    return (start + dt.timedelta(days=rng.randrange((end - start).days + 1))).isoformat()


def _distractor_pool(domain: str, trigger: str, entity: str) -> list[str]:
    _, chains, extras = DOMAINS[domain]
    pool = [ev for t, chain in chains.items() if t != trigger for ev in chain] + extras
    return [p.format(e=entity) for p in pool]


def _pick_distractors(rng, pool, taken, k):
    out = []
    for ev in rng.sample(pool, len(pool)):
        if len(out) == k:
            break
        # never near-duplicates of each other (token Jaccard > 0.6 would count as a semantic match)
        if all(jaccard(ev, t) <= 0.6 for t in taken + out):
            out.append(ev)
    return out


def make_case(rng: random.Random, cfg: SyntheticConfig, i: int, seen: set) -> dict:
    domain = rng.choice(sorted(DOMAINS))
    entities, chains, _ = DOMAINS[domain]
    while True:
        trigger, entity, date = rng.choice(sorted(chains)), rng.choice(entities), _random_date(rng)
        seed_event = trigger.format(e=entity)
        if (seed_event, date) not in seen:
            seen.add((seed_event, date))
            break
    depth = rng.randint(cfg.min_depth, cfg.max_depth)
    pool = _distractor_pool(domain, trigger, entity)
    levels = []
    for d in range(depth):
        chain_event = chains[trigger][d].format(e=entity)
        k = rng.randint(cfg.min_candidates, cfg.max_candidates) - 1
        distractors = _pick_distractors(rng, pool, [chain_event], k)
        events = [chain_event] + distractors
        actual = 0 if rng.random() < cfg.p_signal else rng.randrange(1, len(events))
        cands = [{"event": ev, "label": int(j == actual)} for j, ev in enumerate(events)]
        rng.shuffle(cands)  # the actual lands at a random position
        levels.append({"depth": d + 1, "candidates": cands})
    split = "eval" if rng.random() < cfg.eval_fraction else "train"
    return {"id": f"{domain}-{i:05d}", "seed": {"event": seed_event, "date": date}, "levels": levels,
            "split": split, "source": {"agent": "psychohistory synthetic generator", "domain": domain,
                                       "notes": f"seed={cfg.seed}"}}


def generate(cfg: SyntheticConfig) -> list[dict]:
    rng, seen = random.Random(cfg.seed), set()
    return [make_case(rng, cfg, i, seen) for i in range(cfg.n_cases)]


def to_jsonl(cases: list[dict]) -> str:
    return "".join(json.dumps(c) + "\n" for c in cases)


def newswire(rng: random.Random) -> str:
    """A pretraining document for the stand-in base model: a dated run of events about one entity of one domain,
    in random order — so the base learns the language of events and to carry an entity along a long context, but
    not which event follows which (that is the signal SFT has to learn)."""
    domain = rng.choice(sorted(DOMAINS))
    entities, chains, extras = DOMAINS[domain]
    e = rng.choice(entities)
    pool = [t for t in chains] + [c for chain in chains.values() for c in chain] + extras
    events = rng.sample(pool, rng.randint(3, 9))
    return "\n".join(f"({_random_date(rng)}) {ev.format(e=e)}" for ev in events)


def corpus_lines() -> list[str]:
    """Every event string the generator can produce (the tokenizer's corpus)."""
    lines = []
    for entities, chains, extras in DOMAINS.values():
        for e in entities:
            for t, chain in chains.items():
                lines += [t.format(e=e)] + [c.format(e=e) for c in chain]
            lines += [x.format(e=e) for x in extras]
    return lines
