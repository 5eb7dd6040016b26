"""Seeded, fictional French small-business CRM data, written into an emulator file.

The data set is built in memory first (:func:`generate`), with synthetic keys
(``co12``, ``ct40``, ``op7``, ``in301``) and relations held on their small side only;
the values the engine owns are then computed with the product's pure ``compute()``
(:func:`expected_values`), as a workspace the engine has been running on would hold
them. :func:`write_dataset` appends the pages to a provisioned emulator data file with
``notion_crm.emulator.persistence.bulk_add_pages``, which mirrors two-way relations,
so the many side of every relation is consistent with the small side.

A known share of pages (:data:`WRONG_SHARE`) is written with one owned value wrong or
empty (:func:`pick_wrong`): the engine's cold start must write exactly those.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from notion_crm.emulator.persistence import bulk_add_pages
from notion_crm.schema.loader import load_schema
from notion_crm.schema.model import Schema
from notion_crm.sync.compute import Computed, Rules, compute
from notion_crm.sync.records import Company, Contact, Interaction, Opportunity
from notion_crm.sync.records import Snapshot as RecordSnapshot

SIZES: dict[str, int] = {"XS": 400, "S": 1_200, "M": 12_000, "L": 50_000}
"""Pages in each benchmark size, across the four databases."""

SHARES: dict[str, float] = {
    "companies": 0.10,
    "contacts": 0.20,
    "opportunities": 0.20,
    "interactions": 0.50,
}
"""CRM-like proportions of the pages, per database."""

WRONG_SHARE = 0.02
"""Share of all pages written with one owned value wrong or empty."""

BIG_ACCOUNT_SHARE = 0.02
"""Share of companies that are key accounts, with more than 25 opportunities."""

LONG_NOTE_SHARE = 0.03
"""Share of companies and opportunities whose Notes run past 2,000 characters."""

HISTORY_DAYS = 540
"""How far back ``created_time`` goes, so large data sources read in windows."""

ZONE = ZoneInfo("Europe/Paris")
"""The configured time zone (``crm.timezone`` default)."""

RICH_TEXT_CHUNK = 2_000
"""Most characters Notion accepts in one rich text item."""

STAGE_WEIGHTS: dict[str, int] = {
    "contact_initiated": 10,
    "to_contact": 10,
    "quote_to_send": 10,
    "quote_sent": 15,
    "follow_up": 10,
    "project_launched": 15,
    "project_completed": 20,
    "refused": 10,
}
"""How opportunities spread over the stages (keys of ``schemas/crm.toml``)."""

TRADES = (
    "Boulangerie",
    "Menuiserie",
    "Plomberie",
    "Garage",
    "Imprimerie",
    "Fromagerie",
    "Atelier",
    "Cabinet",
    "Agence",
    "Studio",
    "Librairie",
    "Pharmacie",
    "Domaine",
    "Transports",
    "Électricité",
)
SURNAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
)
FIRST_NAMES = (
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Jade",
    "Louise",
    "Emma",
    "Hugo",
    "Lucas",
    "Louis",
    "Jules",
    "Gabriel",
    "Arthur",
    "Nathan",
    "Théo",
    "Paul",
    "Élise",
    "Margaux",
    "Antoine",
)
CITIES = (
    "Lyon",
    "Nantes",
    "Rennes",
    "Bordeaux",
    "Lille",
    "Toulouse",
    "Dijon",
    "Tours",
    "Annecy",
    "Brest",
    "Angers",
    "Nancy",
    "Pau",
    "Nîmes",
    "Rouen",
)
INDUSTRIES = (
    "Artisanat",
    "Commerce",
    "Restauration",
    "Services",
    "BTP",
    "Santé",
    "Culture",
    "Transport",
)
JOBS = (
    "Gérant",
    "Gérante",
    "Comptable",
    "Responsable achats",
    "Assistante de direction",
    "Chef d'atelier",
    "Directrice commerciale",
)
PROJECTS = (
    "Refonte du site web",
    "Devis rénovation",
    "Maintenance annuelle",
    "Formation équipe",
    "Installation électrique",
    "Campagne de communication",
    "Logiciel de caisse",
    "Aménagement boutique",
    "Étude de faisabilité",
    "Contrat d'entretien",
)
INTERACTION_TYPES = ("Email", "Call", "Meeting", "Lunch", "Other")
WORDS = (
    "le client souhaite un devis détaillé avant la fin du mois",
    "rappeler la gérante pour confirmer le calendrier des travaux",
    "budget validé en interne sous réserve de l'accord de la banque",
    "prévoir une visite sur place avec le chef d'atelier",
    "les délais de livraison restent le point sensible du dossier",
    "envoyer la plaquette et les références de chantiers similaires",
)


@dataclass(slots=True)
class GenCompany:
    """A company of the data set."""

    key: str
    name: str
    city: str
    industry: str
    created: datetime
    big: bool
    notes: str


@dataclass(slots=True)
class GenContact:
    """A contact, linked to one company."""

    key: str
    name: str
    company: str
    job: str
    created: datetime


@dataclass(slots=True)
class GenOpportunity:
    """An opportunity, linked to one company and up to two of its contacts."""

    key: str
    name: str
    company: str
    contacts: tuple[str, ...]
    stage: str
    amount: int | None
    created: datetime
    due: date
    stage_dates: dict[str, date | None]
    notes: str


@dataclass(slots=True)
class GenInteraction:
    """An interaction with a company, its contacts and maybe one opportunity."""

    key: str
    name: str
    day: date
    kind: str
    company: str
    contacts: tuple[str, ...]
    opportunity: tuple[str, ...]
    created: datetime
    notes: str


@dataclass(slots=True)
class Dataset:
    """One generated data set; ``now`` is the instant the benchmark runs at."""

    now: datetime
    companies: list[GenCompany] = field(default_factory=list)
    contacts: list[GenContact] = field(default_factory=list)
    opportunities: list[GenOpportunity] = field(default_factory=list)
    interactions: list[GenInteraction] = field(default_factory=list)

    @property
    def today(self) -> date:
        """The current date in the configured time zone."""
        return self.now.astimezone(ZONE).date()

    def counts(self) -> dict[str, int]:
        """Pages per database."""
        return {
            "companies": len(self.companies),
            "contacts": len(self.contacts),
            "opportunities": len(self.opportunities),
            "interactions": len(self.interactions),
        }

    @property
    def pages(self) -> int:
        """Pages in all four databases."""
        return sum(self.counts().values())


def generate(pages: int, *, seed: int, now: datetime) -> Dataset:
    """A data set of about ``pages`` pages, the same for the same seed and ``now``."""
    rng = random.Random(seed)
    data = Dataset(now=now)
    quota = {db: max(1, round(pages * share)) for db, share in SHARES.items()}
    _add_companies(data, rng, quota["companies"])
    _add_contacts(data, rng, quota["contacts"])
    _add_opportunities(data, rng, quota["opportunities"])
    _add_interactions(data, rng, quota["interactions"])
    return data


def _minute(instant: datetime) -> datetime:
    return instant.replace(second=0, microsecond=0)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = max(60.0, (end - start).total_seconds())
    return _minute(start + timedelta(seconds=rng.uniform(0, span)))


def _long_text(rng: random.Random, length: int) -> str:
    parts: list[str] = []
    while sum(len(p) + 2 for p in parts) < length:
        parts.append(rng.choice(WORDS).capitalize())
    return (". ".join(parts) + ".")[:length]


def _add_companies(data: Dataset, rng: random.Random, count: int) -> None:
    start = data.now - timedelta(days=HISTORY_DAYS)
    latest = data.now - timedelta(days=30)
    bigs = max(2, round(count * BIG_ACCOUNT_SHARE))
    for i in range(count):
        surname, city = rng.choice(SURNAMES), rng.choice(CITIES)
        long_note = rng.random() < LONG_NOTE_SHARE
        data.companies.append(
            GenCompany(
                key=f"co{i}",
                name=f"{rng.choice(TRADES)} {surname} ({city}) n°{i + 1}",
                city=city,
                industry=rng.choice(INDUSTRIES),
                created=_between(rng, start, latest),
                big=i < bigs,
                notes=_long_text(rng, rng.randint(2_200, 6_000)) if long_note else "",
            )
        )


def _company_weights(data: Dataset) -> list[float]:
    # Key accounts draw far more contacts and interactions than the others.
    return [15.0 if c.big else 1.0 for c in data.companies]


def _add_contacts(data: Dataset, rng: random.Random, count: int) -> None:
    weights = _company_weights(data)
    for i in range(count):
        company = rng.choices(data.companies, weights)[0]
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        data.contacts.append(
            GenContact(
                key=f"ct{i}",
                name=name,
                company=company.key,
                job=rng.choice(JOBS),
                created=_between(rng, company.created, data.now - timedelta(days=1)),
            )
        )


def _opportunity_companies(data: Dataset, rng: random.Random, count: int) -> list[str]:
    """Each key account gets 26 to 40 opportunities; the rest go to the others."""
    chosen: list[str] = []
    for company in data.companies:
        if company.big and len(chosen) + 40 <= count // 2:
            chosen.extend([company.key] * rng.randint(26, 40))
    small = [c.key for c in data.companies if not c.big] or [data.companies[0].key]
    chosen.extend(rng.choice(small) for _ in range(count - len(chosen)))
    rng.shuffle(chosen)
    return chosen


def _add_opportunities(data: Dataset, rng: random.Random, count: int) -> None:
    companies = {c.key: c for c in data.companies}
    contacts_of: dict[str, list[str]] = {}
    for contact in data.contacts:
        contacts_of.setdefault(contact.company, []).append(contact.key)
    stages, weights = zip(*STAGE_WEIGHTS.items(), strict=True)
    for i, company_key in enumerate(_opportunity_companies(data, rng, count)):
        company = companies[company_key]
        created = _between(rng, company.created, data.now - timedelta(hours=1))
        stage = rng.choices(stages, weights)[0]
        pool = contacts_of.get(company_key, [])
        picked = rng.sample(pool, min(len(pool), rng.randint(0, 2)))
        long_note = rng.random() < LONG_NOTE_SHARE
        data.opportunities.append(
            GenOpportunity(
                key=f"op{i}",
                name=f"{rng.choice(PROJECTS)} – {company.name}",
                company=company_key,
                contacts=tuple(picked),
                stage=stage,
                amount=None if rng.random() < 0.05 else rng.randint(10, 1_600) * 50,
                created=created,
                due=data.today + timedelta(days=rng.randint(-60, 120)),
                stage_dates=_stage_dates(rng, stage, created, data.today),
                notes=_long_text(rng, rng.randint(2_200, 6_000)) if long_note else "",
            )
        )


def _stage_dates(
    rng: random.Random, stage: str, created: datetime, today: date
) -> dict[str, date | None]:
    """Stage dates in order, between creation and today, as the engine stamped."""
    start = created.astimezone(ZONE).date()
    span = max(0, (today - start).days)
    marks = sorted(start + timedelta(days=rng.randint(0, span)) for _ in range(3))
    dates: dict[str, date | None] = dict.fromkeys(
        ("quote_sent_on", "started_on", "completed_on", "closed_on")
    )
    if stage in ("quote_sent", "follow_up", "project_launched", "project_completed"):
        dates["quote_sent_on"] = marks[0]
    if stage in ("project_launched", "project_completed"):
        dates["started_on"] = marks[1]
    if stage == "project_completed":
        dates["completed_on"] = marks[2]
    if stage == "refused":
        dates["closed_on"] = marks[2]
    return dates


def _add_interactions(data: Dataset, rng: random.Random, count: int) -> None:
    weights = _company_weights(data)
    companies = {c.key: c for c in data.companies}
    contacts_of: dict[str, list[str]] = {}
    for contact in data.contacts:
        contacts_of.setdefault(contact.company, []).append(contact.key)
    for i in range(count):
        opportunity: GenOpportunity | None = None
        if data.opportunities and rng.random() < 0.7:
            opportunity = rng.choice(data.opportunities)
            company = companies[opportunity.company]
        else:
            company = rng.choices(data.companies, weights)[0]
        origin = opportunity.created if opportunity else company.created
        created = _between(rng, origin, data.now - timedelta(hours=1))
        future = rng.random() < 0.1
        day = (
            data.today + timedelta(days=rng.randint(1, 45))
            if future
            else created.astimezone(ZONE).date()
        )
        pool = list(opportunity.contacts) if opportunity else []
        pool = pool or contacts_of.get(company.key, [])
        data.interactions.append(
            GenInteraction(
                key=f"in{i}",
                name=f"{rng.choice(INTERACTION_TYPES)} – {company.name}",
                day=day,
                kind=rng.choice(INTERACTION_TYPES),
                company=company.key,
                contacts=(rng.choice(pool),) if pool else (),
                opportunity=(opportunity.key,) if opportunity else (),
                created=created,
                notes=rng.choice(WORDS) if rng.random() < 0.5 else "",
            )
        )


# ---- what the engine computes ----------------------------------------------------


def rules(schema: Schema | None = None) -> Rules:
    """The engine's rules, with option keys standing for Notion option ids."""
    schema = schema or load_schema()
    stage_ids = {o.key: o.key for o in schema.stage.options}
    status = schema.workspace.database("companies").properties["status"]
    status_ids = {o.key: o.key for o in status.options}
    return Rules.from_schema(
        schema, stage_ids=stage_ids, status_ids=status_ids, zone=ZONE
    )


def snapshot(data: Dataset, *, stage_dates: bool = True) -> RecordSnapshot:
    """The data set as the engine's records (relations on their small side)."""
    snap = RecordSnapshot()
    for c in data.companies:
        snap.companies[c.key] = Company(id=c.key, name=c.name)
    for ct in data.contacts:
        snap.contacts[ct.key] = Contact(id=ct.key, name=ct.name, company=(ct.company,))
    for o in data.opportunities:
        snap.opportunities[o.key] = Opportunity(
            id=o.key,
            name=o.name,
            company=(o.company,),
            contacts=o.contacts,
            stage=o.stage,
            amount=None if o.amount is None else Decimal(o.amount),
            stage_dates=dict(o.stage_dates)
            if stage_dates
            else dict.fromkeys(o.stage_dates),
            created_time=o.created,
        )
    for it in data.interactions:
        snap.interactions[it.key] = Interaction(
            id=it.key,
            name=it.name,
            date=it.day,
            company=(it.company,),
            contacts=it.contacts,
            opportunity=it.opportunity,
        )
    return snap


def expected_values(
    data: Dataset,
    *,
    stage_dates: bool = True,
    last_stage_change: Mapping[str, date] | None = None,
) -> Computed:
    """The owned values the engine computes for this data set today."""
    return compute(
        snapshot(data, stage_dates=stage_dates),
        rules(),
        today=data.today,
        last_stage_change=last_stage_change or {},
    )


def relation_sizes(data: Dataset) -> dict[str, dict[str, int]]:
    """Length of every many-side relation list, per page key and property key."""
    sizes: dict[str, dict[str, int]] = {}

    def bump(page: str, prop: str) -> None:
        sizes.setdefault(page, {}).setdefault(prop, 0)
        sizes[page][prop] += 1

    for ct in data.contacts:
        bump(ct.company, "contacts")
    for o in data.opportunities:
        bump(o.company, "opportunities")
        for contact in o.contacts:
            bump(contact, "opportunities")
    for it in data.interactions:
        bump(it.company, "interactions")
        for contact in it.contacts:
            bump(contact, "interactions")
        for opp in it.opportunity:
            bump(opp, "interactions")
    return sizes


def items_past_cut(data: Dataset) -> int:
    """Property-item requests needed to read every relation cut at 25 items."""
    return sum(
        math.ceil(length / 100)
        for props in relation_sizes(data).values()
        for length in props.values()
        if length > 25
    )


# ---- wrong values --------------------------------------------------------------------


def pick_wrong(data: Dataset, *, seed: int) -> dict[str, str]:
    """Pages whose owned values are written wrong or empty, with how.

    Chosen among companies, contacts and opportunities (interactions own nothing);
    every corruption is sure to differ from the computed value.
    """
    rng = random.Random(seed + 1)
    owned = (
        [c.key for c in data.companies]
        + [c.key for c in data.contacts]
        + [o.key for o in data.opportunities]
    )
    count = min(len(owned), round(data.pages * WRONG_SHARE))
    kinds = ("wrong", "empty")
    return {key: kinds[i % 2] for i, key in enumerate(sorted(rng.sample(owned, count)))}


# ---- writing into the data file ----------------------------------------------------


def _names(schema: Schema, db: str) -> dict[str, str]:
    return {
        key: prop.name("en")
        for key, prop in schema.workspace.database(db).properties.items()
    }


def rich_text(text: str) -> list[dict[str, Any]]:
    """Rich text items of at most 2,000 characters."""
    return [
        {"text": {"content": text[i : i + RICH_TEXT_CHUNK]}}
        for i in range(0, len(text), RICH_TEXT_CHUNK)
    ]


def _date(day: date | None) -> dict[str, Any]:
    return {"date": {"start": day.isoformat()} if day else None}


def _number(value: Decimal | int | None) -> dict[str, Any]:
    if value is None:
        return {"number": None}
    return {"number": int(value) if value == int(value) else float(value)}


def _relation(ids: Iterable[str]) -> dict[str, Any]:
    return {"relation": [{"id": i} for i in ids]}


@dataclass(frozen=True, slots=True)
class Fill:
    """How owned values are written: computed, with some wrong, or all empty."""

    values: Computed
    wrong: Mapping[str, str]
    empty: bool = False


def _company_row(
    c: GenCompany, fill: Fill, names: dict[str, str], status_names: dict[str, str]
) -> dict[str, Any]:
    slug = c.name.split(" (")[0].lower().replace(" ", "-")
    row: dict[str, Any] = {
        names["name"]: {"title": rich_text(c.name)},
        names["industry"]: {"select": {"name": c.industry}},
        names["address"]: {"rich_text": rich_text(f"12 rue de la Paix, {c.city}")},
        names["website"]: {"url": f"https://{slug}.example"},
        names["email"]: {"email": f"contact@{slug}.example"},
        names["phone"]: {"phone_number": "+33 4 00 00 00 00"},
    }
    if c.notes:
        row[names["notes"]] = {"rich_text": rich_text(c.notes)}
    if fill.empty:
        return row
    v = fill.values.companies[c.key]
    how = fill.wrong.get(c.key)
    status = None if how == "empty" else {"name": status_names[v.status]}
    signed = v.signed_revenue + (1_000 if how == "wrong" else 0)
    row[names["status"]] = {"select": status}
    row[names["active_projects"]] = _number(v.active_projects)
    row[names["signed_revenue"]] = _number(signed)
    row[names["potential_revenue"]] = _number(v.potential_revenue)
    row[names["last_interaction"]] = _date(v.last_interaction)
    row[names["next_interaction"]] = _date(v.next_interaction)
    return row


def _contact_row(
    ct: GenContact, fill: Fill, names: dict[str, str], company_id: str
) -> dict[str, Any]:
    first = ct.name.split()[0].lower()
    row: dict[str, Any] = {
        names["name"]: {"title": rich_text(ct.name)},
        names["company"]: _relation([company_id]),
        names["job_title"]: {"rich_text": rich_text(ct.job)},
        names["email"]: {"email": f"{first}.{ct.key}@example.fr"},
    }
    if fill.empty:
        return row
    day = fill.values.contacts[ct.key].last_interaction
    if ct.key in fill.wrong:
        # "empty" when there is a date to lose, else a wrong date where none is due.
        day = None if day is not None else date(2000, 1, 1)
    row[names["last_interaction"]] = _date(day)
    return row


def _opportunity_row(
    o: GenOpportunity,
    fill: Fill,
    names: dict[str, str],
    stage_names: dict[str, str],
    ids: Mapping[str, str],
) -> dict[str, Any]:
    row: dict[str, Any] = {
        names["name"]: {"title": rich_text(o.name)},
        names["company"]: _relation([ids[o.company]]),
        names["contacts"]: _relation(ids[c] for c in o.contacts),
        names["stage"]: {"select": {"name": stage_names[o.stage]}},
        names["amount"]: _number(o.amount),
        names["due_date"]: _date(o.due),
    }
    if o.notes:
        row[names["notes"]] = {"rich_text": rich_text(o.notes)}
    if fill.empty:
        return row
    for key, day in o.stage_dates.items():
        row[names[key]] = _date(day)
    v = fill.values.opportunities[o.key]
    follow_up = not v.needs_follow_up if o.key in fill.wrong else v.needs_follow_up
    row[names["last_interaction"]] = _date(v.last_interaction)
    row[names["needs_follow_up"]] = {"checkbox": follow_up}
    return row


def _interaction_row(
    it: GenInteraction, names: dict[str, str], ids: Mapping[str, str]
) -> dict[str, Any]:
    row: dict[str, Any] = {
        names["name"]: {"title": rich_text(it.name)},
        names["date"]: _date(it.day),
        names["type"]: {"select": {"name": it.kind}},
        names["company"]: _relation([ids[it.company]]),
        names["contacts"]: _relation(ids[c] for c in it.contacts),
        names["opportunity"]: _relation(ids[o] for o in it.opportunity),
    }
    if it.notes:
        row[names["notes"]] = {"rich_text": rich_text(it.notes)}
    return row


def _option_names(schema: Schema, db: str, prop: str) -> dict[str, str]:
    spec = schema.workspace.database(db).properties[prop]
    return {o.key: o.name("en") for o in spec.options}


def write_dataset(
    path: Path,
    data: Dataset,
    fill: Fill,
    *,
    sources: Mapping[str, str],
    person_id: str | None = None,
) -> dict[str, str]:
    """Append the data set's pages to a provisioned data file; keys -> page ids.

    ``sources`` maps database keys to data source ids. Pages are created by
    ``person_id`` (a person user of the file) at their ``created_time``.
    """
    schema = load_schema()
    ids: dict[str, str] = {}

    def add(db: str, keys: list[str], rows: list[Any], times: list[datetime]) -> None:
        added = bulk_add_pages(
            path, sources[db], rows, created_times=times, created_by=person_id
        )
        ids.update(zip(keys, added, strict=True))

    status_names = _option_names(schema, "companies", "status")
    names = _names(schema, "companies")
    add(
        "companies",
        [c.key for c in data.companies],
        [_company_row(c, fill, names, status_names) for c in data.companies],
        [c.created for c in data.companies],
    )
    names = _names(schema, "contacts")
    add(
        "contacts",
        [c.key for c in data.contacts],
        [_contact_row(c, fill, names, ids[c.company]) for c in data.contacts],
        [c.created for c in data.contacts],
    )
    names = _names(schema, "opportunities")
    stages = _option_names(schema, "opportunities", "stage")
    add(
        "opportunities",
        [o.key for o in data.opportunities],
        [_opportunity_row(o, fill, names, stages, ids) for o in data.opportunities],
        [o.created for o in data.opportunities],
    )
    names = _names(schema, "interactions")
    add(
        "interactions",
        [i.key for i in data.interactions],
        [_interaction_row(i, names, ids) for i in data.interactions],
        [i.created for i in data.interactions],
    )
    return ids


def changed_pages(before: Computed, after: Computed) -> set[str]:
    """Keys of pages whose computed values differ between two computations."""
    changed: set[str] = set()
    for attr in ("companies", "contacts", "opportunities"):
        old, new = getattr(before, attr), getattr(after, attr)
        changed |= {k for k in new if old.get(k) != new[k]}
    return changed


def differs_from_empty(values: Computed) -> set[str]:
    """Keys of pages whose computed values are not all empty (first-ever writes)."""
    keys = set(values.companies)
    keys |= {k for k, v in values.contacts.items() if v.last_interaction}
    keys |= {
        k
        for k, v in values.opportunities.items()
        if v.last_interaction or v.needs_follow_up
    }
    return keys


BENCH_NOW = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
"""The fixed instant the benchmark's engine runs at (a Monday, 10:00 in Paris)."""
