"""A deterministic synthetic case generator with a signal a model can learn.

Each domain has trigger events, and each trigger has a causal chain of four follow-ups. A case picks a trigger and an
entity, then per depth the chain's next event is the actual outcome with probability `p_signal`; otherwise one of the
distractors is (label noise, so a calibrated model says about p_signal, not 1). Distractors come from the same domain
and entity, so the model has to know which chain a seed starts, not just which words look alike.

No leakage (GUIDE contract 1): the splits hold out whole seed events, never just dates. Split "eval" is seed events
(trigger × entity) that appear in no train case under any date, some entities of every seen trigger, so the model
must apply a trigger's chain, learnt from other entities, to a new one. Split "test" is whole causal chains: a few
triggers per domain whose seeds and follow-ups appear in no train or eval case at all, not even as distractors, so it
measures forecasting event types never seen (generalisation, not recall).

kinds="wide" adds three triggers per domain (WIDE_EXTRA: 42 kinds of event instead of 21), so SFT's
--unfamiliar_fraction can hold many kinds out and still train on many; the default table's output is unchanged."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass

from .metrics import jaccard

COUNTRIES = [
    "Brazil",
    "Canada",
    "Japan",
    "Kenya",
    "Norway",
    "Chile",
    "India",
    "Poland",
    "Mexico",
    "Vietnam",
    "Spain",
    "Egypt",
]
COMPANIES = [
    "Nimbus Labs",
    "Quantix",
    "Orbitel",
    "Helio Systems",
    "Vantara",
    "Cobalt AI",
    "Pinecrest Software",
    "Lumen Devices",
    "Arcwave",
    "Tessera Cloud",
]
REGIONS = [
    "Florida",
    "Queensland",
    "Bavaria",
    "Ontario",
    "Gujarat",
    "Patagonia",
    "Hokkaido",
    "Texas",
    "Sicily",
    "Manitoba",
]
CLUBS = [
    "Riverside United",
    "Northgate Rovers",
    "Port Alder FC",
    "Kingsmoor City",
    "Eastbay Athletic",
    "Highfield Wanderers",
    "Stonebridge Town",
    "Lakeshore Albion",
]

# domain -> (entities, {trigger: chain of 4 follow-ups}, extra distractors)
DOMAINS = {
    "markets": (
        COUNTRIES,
        {
            "Central bank of {e} raises interest rates by half a point": [
                "Government bond yields in {e} climb",
                "Mortgage applications in {e} drop sharply",
                "Housing starts in {e} slow for a second quarter",
                "Construction employment in {e} declines",
            ],
            "Stock market in {e} falls ten percent in a week": [
                "Investors move money into {e} government bonds",
                "Central bank of {e} signals a pause in tightening",
                "Consumer confidence in {e} weakens",
                "Retail sales in {e} come in below forecasts",
            ],
            "Currency of {e} hits a record low against the dollar": [
                "Import prices in {e} jump",
                "Inflation in {e} accelerates",
                "Central bank of {e} intervenes in currency markets",
                "Foreign reserves of {e} shrink",
            ],
        },
        [
            "Trading volume on the {e} exchange hits a record",
            "A major bank in {e} announces a share buyback",
            "Commodity exporters in {e} report strong earnings",
        ],
    ),
    "tech": (
        COMPANIES,
        {
            "{e} announces layoffs of ten percent of staff": [
                "{e} shares rise on cost cutting hopes",
                "{e} cancels two hardware projects",
                "Former {e} engineers found startups",
                "{e} reports higher operating margin",
            ],
            "{e} suffers a major data breach": [
                "{e} stock slides after the breach",
                "Regulators open an investigation into {e}",
                "{e} faces a class action lawsuit",
                "{e} hires a new security chief",
            ],
            "{e} launches a new AI assistant": [
                "Rivals of {e} rush out competing assistants",
                "{e} cloud revenue grows faster",
                "{e} raises its annual guidance",
                "{e} expands its data center capacity",
            ],
        },
        [
            "{e} delays its flagship product launch",
            "{e} opens a new office in Berlin",
            "{e} founder steps down as chief executive",
        ],
    ),
    "politics": (
        COUNTRIES,
        {
            "Snap election called in {e}": [
                "Opposition in {e} forms a joint ticket",
                "Polls in {e} show a tight race",
                "Coalition government formed in {e}",
                "New government in {e} unveils its budget",
            ],
            "Mass protests erupt over fuel taxes in {e}": [
                "Government of {e} suspends the fuel tax rise",
                "Finance minister of {e} resigns",
                "Ratings agency puts {e} on negative watch",
                "Parliament of {e} passes emergency spending cuts",
            ],
            "{e} signs a free trade agreement with its neighbour": [
                "Exports from {e} to its neighbour increase",
                "Farmers in {e} protest cheaper imports",
                "{e} lowers tariffs on machinery",
                "Foreign investment in {e} rises",
            ],
        },
        [
            "President of {e} reshuffles the cabinet",
            "{e} hosts a regional summit",
            "Supreme court of {e} rules on voting maps",
        ],
    ),
    "energy": (
        COUNTRIES,
        {
            "Oil producers in {e} agree to cut output": [
                "Brent crude price rises on the {e} cut",
                "Airlines in {e} add fuel surcharges",
                "Petrol prices in {e} reach a two year high",
                "Demand for electric cars in {e} grows",
            ],
            "Heat wave strains the power grid in {e}": [
                "Electricity prices in {e} spike",
                "Rolling blackouts hit {e}",
                "Government of {e} orders grid upgrades",
                "Battery storage orders in {e} surge",
            ],
            "{e} approves a large offshore wind farm": [
                "Turbine makers win orders from {e}",
                "Fishing groups in {e} challenge the wind farm",
                "Construction of the {e} wind farm begins",
                "Renewable share of power in {e} rises",
            ],
        },
        [
            "{e} reports record natural gas storage",
            "A refinery in {e} shuts for maintenance",
            "{e} extends a nuclear plant licence",
        ],
    ),
    "weather": (
        REGIONS,
        {
            "Hurricane makes landfall in {e}": [
                "Flooding forces evacuations in {e}",
                "Insurers in {e} face large claims",
                "Federal disaster aid flows to {e}",
                "Rebuilding in {e} lifts construction jobs",
            ],
            "Severe drought declared in {e}": [
                "Crop yields in {e} fall",
                "Water restrictions imposed in {e}",
                "Food prices in {e} rise",
                "Farmers in {e} receive drought relief",
            ],
            "Record snowfall hits {e}": [
                "Schools close across {e}",
                "Flights cancelled at airports in {e}",
                "Retail sales in {e} dip for the month",
                "Spring floods threaten {e}",
            ],
        },
        ["Mild winter reported in {e}", "Wildfire season starts early in {e}", "{e} opens a new weather radar station"],
    ),
    "health": (
        COUNTRIES,
        {
            "New flu strain detected in {e}": [
                "Health ministry of {e} raises the alert level",
                "Vaccine makers start work on a {e} strain vaccine",
                "Hospitals in {e} report rising admissions",
                "Flu cases in {e} peak and decline",
            ],
            "Regulator in {e} approves a new diabetes drug": [
                "Drug maker shares jump after {e} approval",
                "Insurers in {e} agree to cover the drug",
                "Prescriptions of the drug in {e} grow fast",
                "Price of the diabetes drug in {e} comes under scrutiny",
            ],
            "Nurses in {e} go on strike": [
                "Elective surgeries postponed across {e}",
                "Government of {e} offers a pay rise to nurses",
                "Nurses strike in {e} ends with a deal",
                "Waiting lists in {e} lengthen",
            ],
        },
        [
            "{e} opens a new cancer research centre",
            "Life expectancy in {e} rises slightly",
            "{e} launches a campaign against smoking",
        ],
    ),
    "sport": (
        CLUBS,
        {
            "{e} sacks its head coach after a losing streak": [
                "{e} appoints an interim coach",
                "{e} wins its next home match",
                "{e} signs a new striker",
                "{e} climbs out of the relegation zone",
            ],
            "{e} star player suffers a knee injury": [
                "{e} star player ruled out for the season",
                "{e} loses three straight games",
                "{e} falls out of the title race",
                "{e} star player returns to training",
            ],
            "{e} wins the national cup final": [
                "{e} fans celebrate with a parade",
                "{e} qualifies for continental competition",
                "{e} head coach signs a contract extension",
                "Ticket prices at {e} go up",
            ],
        },
        ["{e} opens a new training ground", "{e} announces a new shirt sponsor", "{e} youth team wins a tournament"],
    ),
}

# kinds="wide" adds, per domain, ({trigger: chain of 4 follow-ups}, extras). Any two triggers of the whole table stay
# below word-set Jaccard 0.5 (sft.similar_groups keeps one group per trigger), and every event is distinct from
# every other chain's and extra (those are the distractors).
WIDE_EXTRA = {
    "markets": (
        {
            "A property developer in {e} defaults on its bonds": [
                "Shares of homebuilders in {e} tumble",
                "Banks in {e} tighten lending to developers",
                "Home prices in {e} fall",
                "Government of {e} launches a housing rescue fund",
            ],
            "{e} cuts its corporate tax rate": [
                "Multinationals move regional headquarters to {e}",
                "Business investment in {e} picks up",
                "Budget deficit of {e} widens",
                "Finance ministry of {e} proposes spending limits",
            ],
            "Largest lender in {e} needs a state bailout": [
                "Depositors withdraw cash from banks across {e}",
                "Regulator of {e} guarantees all bank deposits",
                "Credit to small firms in {e} dries up",
                "Economy of {e} slips into recession",
            ],
        },
        ["Pension funds in {e} raise their stock allocation", "Credit card spending in {e} edges up"],
    ),
    "tech": (
        {
            "{e} agrees to acquire a smaller rival for two billion dollars": [
                "Competition regulators review the {e} takeover",
                "{e} wins approval for the takeover with conditions",
                "{e} cuts overlapping jobs after the merger",
                "{e} folds the acquired products into its platform",
            ],
            "{e} loses a patent lawsuit over its smartphone chips": [
                "{e} ordered to pay heavy damages to the patent owner",
                "Sales of {e} phones halted in several markets",
                "{e} signs a licence deal with the patent owner",
                "{e} phone sales recover after the licence deal",
            ],
            "{e} goes public on the stock exchange": [
                "{e} shares jump on their first trading day",
                "{e} reports its first quarterly results as a listed company",
                "Early employees of {e} sell shares as the lockup ends",
                "{e} uses the listing proceeds to buy a startup",
            ],
        },
        ["{e} moves its developer conference online", "{e} updates the privacy policy of its apps"],
    ),
    "politics": (
        {
            "Prime minister of {e} loses a confidence vote": [
                "Caretaker cabinet takes office in {e}",
                "Ruling party of {e} holds a leadership contest",
                "New prime minister of {e} is sworn in",
                "Approval ratings of the {e} government recover",
            ],
            "Corruption scandal engulfs the ruling party of {e}": [
                "Police raid the ruling party headquarters in {e}",
                "Several ministers of {e} resign over the scandal",
                "Support for the ruling party of {e} slumps in polls",
                "Parliament of {e} passes a law on party funding",
            ],
            "Government of {e} plans to raise the retirement age": [
                "Unions in {e} call a general strike",
                "Strikes shut trains and schools across {e}",
                "Government of {e} softens the pension plan",
                "Parliament of {e} approves the later retirement age",
            ],
        },
        ["Foreign minister of {e} visits Washington", "{e} opens a new embassy in Asia"],
    ),
    "energy": (
        {
            "Gas pipeline supplying {e} is shut down": [
                "Wholesale gas prices in {e} soar",
                "Factories in {e} cut production to save gas",
                "{e} signs deals to import liquefied gas by ship",
                "{e} builds a new liquefied gas terminal",
            ],
            "{e} decides to phase out coal power": [
                "Coal miners in {e} protest the phase out",
                "Utilities in {e} close their oldest coal plants",
                "Carbon emissions from power plants in {e} drop",
                "Former coal regions of {e} receive transition funds",
            ],
            "Nuclear reactor in {e} shuts after a safety fault": [
                "Nuclear watchdog of {e} orders inspections of all reactors",
                "Inspectors find cracked pipes at two more reactors in {e}",
                "{e} burns more gas to fill the power gap",
                "Reactors in {e} restart after repairs",
            ],
        },
        ["Solar panel installations in {e} reach a record", "{e} auctions new oil exploration blocks"],
    ),
    "weather": (
        {
            "Tornado outbreak strikes {e}": [
                "Tornadoes destroy hundreds of homes in {e}",
                "Emergency shelters open across {e}",
                "Volunteers help clear debris in {e}",
                "{e} upgrades its tornado warning sirens",
            ],
            "River bursts its banks after heavy rain in {e}": [
                "Towns along the river in {e} are submerged",
                "Drinking water in {e} is contaminated",
                "Outbreak of stomach illness reported in {e}",
                "{e} funds higher flood barriers along the river",
            ],
            "Hailstorm batters {e}": [
                "Hail damages thousands of cars in {e}",
                "Auto repair shops in {e} are booked for weeks",
                "Car insurance premiums in {e} climb",
                "Demand for covered parking in {e} rises",
            ],
        },
        ["Cooler than usual summer recorded in {e}", "{e} sees its foggiest autumn in a decade"],
    ),
    "health": (
        {
            "Measles outbreak spreads among schoolchildren in {e}": [
                "Schools in {e} send unvaccinated pupils home",
                "Demand for measles shots in {e} surges",
                "Lawmakers in {e} make childhood vaccines compulsory",
                "Measles cases in {e} fall back",
            ],
            "Contaminated baby formula recalled in {e}": [
                "Parents in {e} face a shortage of baby formula",
                "Food safety agency of {e} inspects the formula factory",
                "Formula maker in {e} is fined",
                "{e} tightens rules for baby food plants",
            ],
            "Hospital in {e} hit by a ransomware attack": [
                "Ambulances in {e} diverted to other hospitals",
                "Patient records from {e} leaked online",
                "Health ministry of {e} orders cyber security audits",
                "Hospital computer systems in {e} fully restored",
            ],
        },
        ["{e} trains more family doctors", "Blood donations in {e} hit a yearly high"],
    ),
    "sport": (
        {
            "{e} is bought by a foreign investment fund": [
                "{e} new owners promise a big transfer budget",
                "{e} breaks its transfer record for a midfielder",
                "{e} announces plans for a bigger stadium",
                "{e} sells the naming rights of its stadium",
            ],
            "{e} is docked ten points for breaking finance rules": [
                "{e} sinks to last place in the league",
                "{e} appeals against the points deduction",
                "{e} sells its top scorer to balance the books",
                "{e} is relegated at the end of the season",
            ],
            "{e} earns promotion to the top division": [
                "{e} season ticket sales hit a record",
                "{e} receives a large broadcasting payout",
                "{e} spends heavily on experienced players",
                "{e} avoids relegation in its first top flight season",
            ],
        },
        ["{e} unveils a new club crest", "{e} holds an open training session for fans"],
    ),
}

TABLES = {  # SyntheticConfig.kinds -> domain -> (entities, {trigger: chain}, extras)
    "standard": DOMAINS,
    "wide": {
        d: (ents, {**chains, **WIDE_EXTRA[d][0]}, extras + WIDE_EXTRA[d][1])
        for d, (ents, chains, extras) in DOMAINS.items()
    },
}


def domains(kinds: str) -> dict:
    """The domain table of SyntheticConfig.kinds: "standard" (DOMAINS, 21 triggers) or "wide" (42)."""
    if kinds not in TABLES:
        raise ValueError(f"kinds must be one of {', '.join(TABLES)}, not {kinds!r}")
    return TABLES[kinds]


@dataclass
class SyntheticConfig:
    n_cases: int = 600  # cases to write
    seed: int = 1337  # everything below is a pure function of this seed
    eval_fraction: float = 0.2  # share of each seen trigger's entities held out (split eval) and of other cases
    chain_fraction: float = 0.15  # share of cases on held-out causal chains (split test); 0 = no test split
    chains_per_domain: int = 1  # triggers per domain whose whole chain is held out for the test split
    p_signal: float = 0.85  # chance that a level's actual is the chain's next event
    min_depth: int = 1  # shallowest case
    max_depth: int = 4  # deepest case
    min_candidates: int = 2  # fewest candidates per level
    max_candidates: int = 6  # most candidates per level
    kinds: str = "standard"  # domain table: standard (3 triggers per domain) | wide (6: more kinds of event for SFT)
    out: str = "data/synthetic.cases.jsonl"  # output path (relative to training/ when run from there)


@dataclass(frozen=True)
class SplitPlan:
    """Which seed events go where, a pure function of the seed (not of n_cases: 800 and 1,000 cases of one seed hold
    out the same events). A seed event is a trigger with its entity filled in."""

    test_triggers: dict  # domain -> sorted held-out triggers: seeds split "test", their chains seen nowhere else
    eval_entities: dict  # (domain, seen trigger) -> sorted entities whose seed events are split "eval"
    kinds: str = "standard"  # the domain table planned (domains(kinds))

    def seed_events(self, split: str) -> list[tuple[str, str, str]]:
        """(domain, trigger, entity) of every seed event of a split, in a stable order."""
        out = []
        table = domains(self.kinds)
        for domain in sorted(table):
            entities, chains, _ = table[domain]
            for trigger in sorted(chains):
                held_chain = trigger in self.test_triggers[domain]
                held_event = self.eval_entities.get((domain, trigger), [])
                for e in entities:
                    where = "test" if held_chain else "eval" if e in held_event else "train"
                    if where == split:
                        out.append((domain, trigger, e))
        return out


def _check(cfg: SyntheticConfig) -> None:
    fewest_triggers = min(len(chains) for _, chains, _ in domains(cfg.kinds).values())
    if not 0 <= cfg.eval_fraction < 1 or not 0 <= cfg.chain_fraction < 1:
        raise ValueError("eval_fraction and chain_fraction must lie in [0, 1)")
    if cfg.chain_fraction > 0 and not 1 <= cfg.chains_per_domain < fewest_triggers:
        raise ValueError(
            f"chains_per_domain must be 1 to {fewest_triggers - 1} (each domain keeps a chain to train "
            "on); set chain_fraction=0 for no test split"
        )


def split_plan(cfg: SyntheticConfig) -> SplitPlan:
    """Held-out chains first (chains_per_domain triggers of every domain), then, stratified per seen trigger,
    round(eval_fraction × entities) of its entities (at least 1, and never all: every trigger keeps training cases with
    other entities, so the eval split asks for a learnt trigger → chain mapping applied to a new entity). The seen
    triggers of a domain take their held-out entities in turn from one shuffled list, so as far as the entities go
    round, an entity held out for one trigger still trains with the domain's others."""
    _check(cfg)
    rng = random.Random(f"split-plan/{cfg.seed}")
    test_triggers, eval_entities, table = {}, {}, domains(cfg.kinds)
    for domain in sorted(table):
        entities, chains, _ = table[domain]
        k = cfg.chains_per_domain if cfg.chain_fraction > 0 else 0
        test_triggers[domain] = sorted(rng.sample(sorted(chains), k))
        if cfg.eval_fraction == 0:
            continue
        n = min(len(entities) - 1, max(1, round(cfg.eval_fraction * len(entities))))
        order = rng.sample(entities, len(entities))
        seen = [t for t in sorted(chains) if t not in test_triggers[domain]]
        for j, trigger in enumerate(seen):
            eval_entities[(domain, trigger)] = sorted(order[(j * n + m) % len(order)] for m in range(n))
    return SplitPlan(test_triggers, eval_entities, cfg.kinds)


def _random_date(rng: random.Random) -> str:
    start, end = dt.date(2018, 1, 1), dt.date(2022, 12, 31)
    return (start + dt.timedelta(days=rng.randrange((end - start).days + 1))).isoformat()


def _distractor_pool(table: dict, domain: str, trigger: str, entity: str, hidden: list[str]) -> list[str]:
    """Other chains' events and the domain's extras; `hidden` chains (held out for the test split) are left out, so
    outside the test split a held-out chain's events appear nowhere, neither as actual nor as distractor."""
    _, chains, extras = table[domain]
    pool = [ev for t, chain in chains.items() if t != trigger and t not in hidden for ev in chain] + extras
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


def make_case(rng: random.Random, cfg: SyntheticConfig, plan: SplitPlan, i: int, split: str, seen: set) -> dict:
    """Case i of the given split: a seed event of that split (domain uniform, then trigger, then entity) on a random
    date not used before with that event."""
    table = domains(cfg.kinds)
    domain = rng.choice(sorted(table))
    entities, chains, _ = table[domain]
    held = plan.test_triggers[domain]
    triggers = held if split == "test" else [t for t in sorted(chains) if t not in held]
    while True:
        trigger = rng.choice(triggers)
        held_out = plan.eval_entities.get((domain, trigger), [])
        choices = (
            entities if split == "test" else held_out if split == "eval" else [e for e in entities if e not in held_out]
        )
        entity, date = rng.choice(choices), _random_date(rng)
        seed_event = trigger.format(e=entity)
        if (seed_event, date) not in seen:
            seen.add((seed_event, date))
            break
    depth = rng.randint(cfg.min_depth, cfg.max_depth)
    pool = _distractor_pool(table, domain, trigger, entity, [] if split == "test" else held)
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
    return {
        "id": f"{domain}-{i:05d}",
        "seed": {"event": seed_event, "date": date},
        "levels": levels,
        "split": split,
        "source": {"agent": "psychohistory synthetic generator", "domain": domain, "notes": f"seed={cfg.seed}"},
    }


def split_sizes(cfg: SyntheticConfig) -> dict[str, int]:
    """Cases per split: exact counts, so even a small data set has every split it asks for."""
    n_test = round(cfg.chain_fraction * cfg.n_cases) if cfg.chain_fraction > 0 else 0
    n_eval = round(cfg.eval_fraction * (cfg.n_cases - n_test))
    return {"train": cfg.n_cases - n_test - n_eval, "eval": n_eval, "test": n_test}


def generate(cfg: SyntheticConfig) -> list[dict]:
    plan = split_plan(cfg)
    rng, seen = random.Random(cfg.seed), set()
    splits = [s for s, n in split_sizes(cfg).items() for _ in range(n)]
    rng.shuffle(splits)  # the splits interleave through the file
    return [make_case(rng, cfg, plan, i, split, seen) for i, split in enumerate(splits)]


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
