"""The sample data set shared by ``notion-crm demo`` and the tests.

Twelve fictional French small businesses (bakeries, a carpenter, a florist, a design
studio, a café, a garage…) as the clients and prospects of a small design studio that
keeps its CRM in Notion. Every name, address, email and phone number is invented:
websites and emails use the reserved ``.example`` domain, phone numbers the ranges
France reserves for fiction. Dates are offsets from ``today``, so the figures the
engine computes are the same whatever the day the demo runs.

:func:`build_sample` is pure; :func:`load_sample` writes the set through the Notion
API as a person would, by property and option ids from the :class:`Binding`. Only the
values a person types are written: the engine's own properties are left empty, except
stage dates of opportunities already past those stages, which people fill in by hand
before they adopt the tool.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from notion_crm.errors import WorkspaceError
from notion_crm.schema.binding import Binding
from notion_crm.schema.model import Locale, Text

JsonDict = dict[str, Any]

SAMPLE_TIMEZONE = ZoneInfo("Europe/Paris")
"""Zone of the sample's meeting times; all of them fall around midday."""


def _text(en: str, fr: str) -> Text:
    return Text(en=en, fr=fr)


@dataclass(frozen=True, slots=True)
class SampleCompany:
    """A company row; ``key`` is the local name other rows refer to it by."""

    key: str
    name: str
    website: str
    email: str
    phone: str
    address: str
    notes: Text


@dataclass(frozen=True, slots=True)
class SampleContact:
    """A person at one company."""

    key: str
    name: str
    company: str
    job_title: Text
    email: str
    phone: str


@dataclass(frozen=True, slots=True)
class SampleOpportunity:
    """A deal with one company; ``stage`` is the stage option key of ``crm.toml``."""

    key: str
    name: Text
    company: str
    contacts: tuple[str, ...]
    stage: str
    amount: int | None
    due_date: date | None = None
    quote_sent_on: date | None = None
    started_on: date | None = None
    completed_on: date | None = None
    closed_on: date | None = None

    def stage_dates(self) -> dict[str, date]:
        """The filled stage dates, by property key."""
        values = {
            "quote_sent_on": self.quote_sent_on,
            "started_on": self.started_on,
            "completed_on": self.completed_on,
            "closed_on": self.closed_on,
        }
        return {key: value for key, value in values.items() if value is not None}


@dataclass(frozen=True, slots=True)
class SampleInteraction:
    """An email, call, meeting, lunch or other exchange; ``kind`` is its type key."""

    key: str
    name: Text
    kind: str
    on: date
    at: time | None
    company: str
    contacts: tuple[str, ...]
    opportunity: str | None

    def date_start(self) -> str:
        """The Date's start as Notion takes it: a date, or a time with its offset."""
        if self.at is None:
            return self.on.isoformat()
        return datetime.combine(self.on, self.at, tzinfo=SAMPLE_TIMEZONE).isoformat()


@dataclass(frozen=True, slots=True)
class SampleData:
    """The whole sample, built for one ``today``."""

    today: date
    companies: tuple[SampleCompany, ...]
    contacts: tuple[SampleContact, ...]
    opportunities: tuple[SampleOpportunity, ...]
    interactions: tuple[SampleInteraction, ...]

    def keys(self) -> list[str]:
        """Every local key, in creation order: companies first, interactions last."""
        return [
            *(row.key for row in self.companies),
            *(row.key for row in self.contacts),
            *(row.key for row in self.opportunities),
            *(row.key for row in self.interactions),
        ]

    def opportunity(self, key: str) -> SampleOpportunity:
        """The opportunity with this local key."""
        return next(o for o in self.opportunities if o.key == key)


# --- The data --------------------------------------------------------------------
# Companies: key, name (its slug makes the website and emails), address.
_COMPANIES = (
    ("martelot", "Boulangerie Martelot", "14 rue des Tanneurs, 69002 Lyon"),
    ("costevane", "Menuiserie Costevane", "3 chemin des Scieries, 74000 Annecy"),
    ("jardin_clemence", "Au Jardin de Clémence", "27 rue des Glycines, 37000 Tours"),
    ("brisquet", "Studio Brisquet", "8 quai des Tisserands, 44000 Nantes"),
    ("pelladeau", "Le Comptoir Pelladeau", "5 place des Torréfacteurs, 33000 Bordeaux"),
    ("bruneliere", "Garage Brunelière", "112 avenue des Puys, 63000 Clermont-Ferrand"),
    ("vautrinel", "Ébénisterie Vautrinel", "2 rue des Compagnons, 25000 Besançon"),
    ("castagnede", "Fournil Castagnède", "41 rue du Levain, 13002 Marseille"),
    ("terre_email", "Terre & Émail", "9 rue des Potiers, 21000 Dijon"),
    ("lachenaud", "Imprimerie Lachenaud", "17 rue de la Fonderie, 87000 Limoges"),
    ("granvallet", "Fromagerie Granvallet", "6 place des Affineurs, 73000 Chambéry"),
    ("orsetti", "Jardins Orsetti", "23 boulevard des Oliviers, 06000 Nice"),
)

_COMPANY_NOTES = {
    "martelot": ("Family bakery, two shops", "Boulangerie familiale, deux boutiques"),
    "costevane": ("Carpentry and fitted furniture", "Menuiserie et agencement"),
    "jardin_clemence": ("Florist, weddings and events", "Fleuriste, mariages"),
    "brisquet": ("Design studio, sometimes a partner", "Studio de design partenaire"),
    "pelladeau": ("Café and coffee roaster", "Café et torréfacteur"),
    "bruneliere": ("Independent car repair garage", "Garage indépendant"),
    "vautrinel": ("Cabinet maker and restorer", "Ébéniste, restauration"),
    "castagnede": ("Organic sourdough bakery", "Boulangerie bio au levain"),
    "terre_email": ("Ceramics workshop and shop", "Atelier et boutique de céramique"),
    "lachenaud": ("Partner printer, no deal of its own", "Imprimeur partenaire"),
    "granvallet": ("Cheese shop and market stall", "Fromagerie et étal au marché"),
    "orsetti": ("Landscape gardener", "Paysagiste"),
}

# Contacts by company: key (also the email's local part), name, job title (en, fr).
_CONTACTS = {
    "martelot": (
        ("helene", "Hélène Martelot", "Manager", "Gérante"),
        ("julien", "Julien Martelot", "Head baker", "Chef boulanger"),
    ),
    "costevane": (
        ("bastien", "Bastien Costevane", "Master carpenter", "Artisan menuisier"),
        ("maelle", "Maëlle Ribordy", "Office manager", "Assistante de gestion"),
    ),
    "jardin_clemence": (
        ("clemence", "Clémence Aubriot", "Florist, owner", "Fleuriste, gérante"),
        ("noe", "Noé Fradin", "Apprentice florist", "Apprenti fleuriste"),
    ),
    "brisquet": (
        ("ines", "Inès Brisquet", "Art director", "Directrice artistique"),
        ("ferdinand", "Ferdinand Quéré", "Graphic designer", "Graphiste"),
    ),
    "pelladeau": (
        ("sofiane", "Sofiane Pelladeau", "Owner", "Gérant"),
        ("camille", "Camille Dorval", "Floor manager", "Responsable de salle"),
    ),
    "bruneliere": (
        ("marc", "Marc Brunelière", "Mechanic, owner", "Garagiste, gérant"),
        ("sandrine", "Sandrine Tixier", "Receptionist", "Secrétaire d'accueil"),
    ),
    "vautrinel": (
        ("gaspard", "Gaspard Vautrinel", "Cabinet maker", "Ébéniste"),
        ("lou", "Lou Vautrinel", "Partner, sales", "Associée, ventes"),
    ),
    "castagnede": (
        ("remi", "Rémi Castagnède", "Baker, owner", "Boulanger, gérant"),
        ("yasmina", "Yasmina Belkadi", "Shop manager", "Responsable de boutique"),
    ),
    "terre_email": (
        ("agathe", "Agathe Ponsard", "Ceramicist", "Céramiste"),
        ("victor", "Victor Ponsard", "Online shop", "Boutique en ligne"),
    ),
    "lachenaud": (
        ("thierry", "Thierry Lachenaud", "Master printer", "Maître imprimeur"),
        ("zoe", "Zoé Marquet", "Prepress operator", "Opératrice PAO"),
    ),
    "granvallet": (
        ("odile", "Odile Granvallet", "Cheesemonger, owner", "Fromagère, gérante"),
        ("hugo", "Hugo Granvallet", "Markets", "Marchés"),
    ),
    "orsetti": (
        ("lucas", "Lucas Orsetti", "Landscape gardener", "Paysagiste"),
        ("margaux", "Margaux Delpierre", "Project manager", "Cheffe de projet"),
        ("nadia", "Nadia Orsetti", "Co-manager", "Cogérante"),
    ),
}

# Opportunities: key, company, contacts, stage, Amount in euros (None: empty).
_OPPORTUNITIES = (
    ("martelot_window", "martelot", "helene", "project_launched", 6200),
    ("martelot_webshop", "martelot", "helene julien", "quote_sent", 3500),
    ("costevane_catalogue", "costevane", "bastien", "project_completed", 2900),
    ("costevane_stand", "costevane", "bastien maelle", "follow_up", 5400),
    ("clemence_identity", "jardin_clemence", "clemence", "project_completed", 4100),
    ("clemence_loyalty", "jardin_clemence", "clemence", "contact_initiated", None),
    ("brisquet_layout", "brisquet", "ines", "refused", 1800),
    ("brisquet_brochure", "brisquet", "ferdinand", "quote_to_send", 2200),
    ("pelladeau_menu", "pelladeau", "sofiane", "project_launched", 3300),
    ("pelladeau_terrace", "pelladeau", "sofiane camille", "quote_sent", 7500),
    ("bruneliere_website", "bruneliere", "marc", "follow_up", 4600),
    ("bruneliere_flyers", "bruneliere", "sandrine", "refused", 900),
    ("vautrinel_logo", "vautrinel", "gaspard", "to_contact", 2500),
    ("vautrinel_price_list", "vautrinel", "lou", "quote_to_send", None),
    ("castagnede_packaging", "castagnede", "remi yasmina", "quote_sent", 3900),
    ("terre_email_catalogue", "terre_email", "agathe", "quote_sent", 2750),
    ("terre_email_webshop", "terre_email", "agathe victor", "quote_to_send", 3100),
    ("granvallet_labels", "granvallet", "odile", "contact_initiated", None),
    ("granvallet_christmas", "granvallet", "hugo", "to_contact", 1200),
    ("orsetti_website", "orsetti", "lucas margaux", "follow_up", 9800),
)

# Days from today of the Due dates, and of the stage dates filled in by hand.
_DUE_IN_DAYS = {
    "martelot_window": 30,
    "martelot_webshop": 60,
    "costevane_stand": 40,
    "brisquet_brochure": 25,
    "pelladeau_menu": 15,
    "pelladeau_terrace": 50,
    "castagnede_packaging": 35,
    "terre_email_catalogue": 20,
    "granvallet_christmas": 45,
}

_STAGE_DAYS = {
    "martelot_window": {"quote_sent_on": -40, "started_on": -20},
    "martelot_webshop": {"quote_sent_on": -15},
    "costevane_catalogue": {
        "quote_sent_on": -150,
        "started_on": -120,
        "completed_on": -60,
    },
    "costevane_stand": {"quote_sent_on": -25},
    "clemence_identity": {
        "quote_sent_on": -520,
        "started_on": -490,
        "completed_on": -430,
    },
    "brisquet_layout": {"quote_sent_on": -70, "closed_on": -55},
    "pelladeau_menu": {"quote_sent_on": -30, "started_on": -9},
    "pelladeau_terrace": {"quote_sent_on": -3},
    "bruneliere_website": {"quote_sent_on": -20},
    "bruneliere_flyers": {"quote_sent_on": -95, "closed_on": -80},
    "castagnede_packaging": {"quote_sent_on": -6},
    "terre_email_catalogue": {"quote_sent_on": -10},
    "orsetti_website": {"quote_sent_on": -45},
}

_OPPORTUNITY_NAMES = {
    "martelot_window": ("Shop window and sign", "Vitrine et enseigne"),
    "martelot_webshop": ("Online ordering website", "Site de commande en ligne"),
    "costevane_catalogue": ("Portfolio catalogue", "Catalogue des réalisations"),
    "costevane_stand": ("Home fair stand", "Stand du salon de l'habitat"),
    "clemence_identity": ("Visual identity", "Identité visuelle"),
    "clemence_loyalty": ("Loyalty cards", "Cartes de fidélité"),
    "brisquet_layout": ("Subcontracted layout work", "Mise en page en sous-traitance"),
    "brisquet_brochure": ("Workshop brochure", "Brochure des ateliers"),
    "pelladeau_menu": ("New menu boards", "Nouvelle carte et ardoises"),
    "pelladeau_terrace": ("Terrace signage", "Signalétique de la terrasse"),
    "bruneliere_website": ("Website with booking", "Site vitrine et rendez-vous"),
    "bruneliere_flyers": ("Summer service flyers", "Flyers des révisions d'été"),
    "vautrinel_logo": ("New logo", "Nouveau logo"),
    "vautrinel_price_list": ("Price list leaflet", "Plaquette tarifaire"),
    "castagnede_packaging": ("Bread bags and packaging", "Sachets et emballages"),
    "terre_email_catalogue": ("Spring catalogue", "Catalogue de printemps"),
    "terre_email_webshop": ("Online shop", "Boutique en ligne"),
    "granvallet_labels": ("Labels and slates", "Étiquettes et ardoises"),
    "granvallet_christmas": ("Christmas market stall", "Stand du marché de Noël"),
    "orsetti_website": ("Website and garden portfolio", "Site et portfolio de jardins"),
}

# Interactions: key, type, days from today, time ("" for a plain date), contacts
# (the first one's company is the interaction's), opportunity ("" for none).
_INTERACTIONS = (
    ("martelot_1", "meeting", -60, "10:00", "helene", "martelot_window"),
    ("martelot_2", "email", -40, "", "helene", "martelot_window"),
    ("martelot_3", "meeting", -20, "09:30", "helene julien", "martelot_window"),
    ("martelot_4", "email", -15, "", "helene", "martelot_webshop"),
    ("martelot_5", "call", -12, "15:00", "julien", "martelot_webshop"),
    ("martelot_6", "meeting", 6, "10:00", "helene", "martelot_window"),
    ("costevane_1", "meeting", -60, "14:00", "bastien", "costevane_catalogue"),
    ("costevane_2", "meeting", -30, "11:00", "bastien maelle", "costevane_stand"),
    ("costevane_3", "email", -25, "", "maelle", "costevane_stand"),
    ("costevane_4", "call", -10, "16:00", "bastien", "costevane_stand"),
    ("clemence_1", "meeting", -430, "10:30", "clemence", "clemence_identity"),
    ("clemence_2", "lunch", -50, "12:30", "clemence", ""),
    ("clemence_3", "call", -9, "11:00", "clemence noe", "clemence_loyalty"),
    ("brisquet_1", "meeting", -75, "14:30", "ines", "brisquet_layout"),
    ("brisquet_2", "email", -55, "", "ines", "brisquet_layout"),
    ("brisquet_3", "call", -4, "10:00", "ferdinand", "brisquet_brochure"),
    ("pelladeau_1", "meeting", -35, "15:30", "sofiane", "pelladeau_menu"),
    ("pelladeau_2", "email", -9, "", "sofiane", "pelladeau_menu"),
    ("pelladeau_3", "meeting", -5, "09:00", "sofiane camille", "pelladeau_terrace"),
    ("pelladeau_4", "lunch", 10, "12:30", "camille", ""),
    ("bruneliere_1", "email", -20, "", "marc", "bruneliere_website"),
    ("bruneliere_2", "call", -2, "17:00", "marc", "bruneliere_website"),
    ("bruneliere_3", "email", -80, "", "sandrine", "bruneliere_flyers"),
    ("vautrinel_1", "other", -14, "", "gaspard", ""),
    ("vautrinel_2", "call", -3, "11:30", "gaspard", "vautrinel_logo"),
    ("vautrinel_3", "email", -1, "", "lou", "vautrinel_price_list"),
    ("castagnede_1", "lunch", -40, "12:30", "remi", ""),
    ("castagnede_2", "meeting", -20, "10:00", "remi yasmina", "castagnede_packaging"),
    ("castagnede_3", "call", 2, "14:00", "yasmina", "castagnede_packaging"),
    ("terre_email_1", "meeting", -18, "16:00", "agathe", "terre_email_catalogue"),
    ("terre_email_2", "call", -3, "10:30", "victor", "terre_email_webshop"),
    ("lachenaud_1", "meeting", -100, "09:00", "thierry", ""),
    ("lachenaud_2", "other", -21, "", "zoe", ""),
    ("lachenaud_3", "lunch", 14, "12:30", "thierry zoe", ""),
    ("granvallet_1", "call", -6, "18:00", "hugo", "granvallet_christmas"),
    ("granvallet_2", "email", -2, "", "odile", "granvallet_labels"),
    ("orsetti_1", "meeting", -50, "10:00", "lucas", "orsetti_website"),
    ("orsetti_2", "email", -30, "", "margaux", "orsetti_website"),
    ("orsetti_3", "meeting", 4, "14:00", "lucas nadia", "orsetti_website"),
    ("orsetti_4", "lunch", -120, "12:30", "nadia", ""),
)

_INTERACTION_NAMES = {
    "martelot_1": ("First meeting at the bakery", "Premier rendez-vous au fournil"),
    "martelot_2": ("Shop window quote sent", "Envoi du devis de la vitrine"),
    "martelot_3": ("Shop window kick-off", "Lancement du chantier de la vitrine"),
    "martelot_4": ("Online ordering quote sent", "Envoi du devis du site"),
    "martelot_5": ("Questions about online payment", "Questions sur le paiement"),
    "martelot_6": ("Shop window progress review", "Point d'avancement de la vitrine"),
    "costevane_1": ("Catalogue delivered", "Livraison du catalogue"),
    "costevane_2": ("Workshop visit for the stand", "Visite de l'atelier"),
    "costevane_3": ("Stand quote sent", "Envoi du devis du stand"),
    "costevane_4": ("Call back about the stand", "Relance téléphonique sur le stand"),
    "clemence_1": ("Identity files handed over", "Remise des fichiers de l'identité"),
    "clemence_2": ("Catch-up lunch", "Déjeuner de reprise de contact"),
    "clemence_3": ("Loyalty card idea", "Idée de cartes de fidélité"),
    "brisquet_1": ("Subcontracting proposal", "Présentation de la sous-traitance"),
    "brisquet_2": ("The studio declines", "Réponse négative du studio"),
    "brisquet_3": ("Brochure brief", "Brief de la brochure"),
    "pelladeau_1": ("Tasting and menu brief", "Dégustation et brief de la carte"),
    "pelladeau_2": ("Menu project launched", "Lancement de la nouvelle carte"),
    "pelladeau_3": ("Terrace walk-through", "Repérage de la terrasse"),
    "pelladeau_4": ("Lunch at the café", "Déjeuner au comptoir"),
    "bruneliere_1": ("Website quote sent", "Envoi du devis du site vitrine"),
    "bruneliere_2": ("Call back about the website", "Relance sur le site vitrine"),
    "bruneliere_3": ("The garage drops the flyers", "Le garage renonce aux flyers"),
    "vautrinel_1": ("Met at the craft fair", "Rencontre au salon des artisans"),
    "vautrinel_2": ("First call about the logo", "Premier appel pour le logo"),
    "vautrinel_3": ("Prices to lay out", "Tarifs à mettre en page"),
    "castagnede_1": ("Lunch at the bakery", "Déjeuner au fournil Castagnède"),
    "castagnede_2": ("Choosing the bread bags", "Choix des sachets"),
    "castagnede_3": ("Planned call about the bags", "Appel prévu sur les sachets"),
    "terre_email_1": ("Spring catalogue brief", "Brief du catalogue de printemps"),
    "terre_email_2": ("Online shop: first needs", "Boutique en ligne : les besoins"),
    "lachenaud_1": ("Visit of the print shop", "Visite de l'imprimerie"),
    "lachenaud_2": ("Paper samples received", "Réception des échantillons"),
    "lachenaud_3": ("Lunch with the printers", "Déjeuner avec l'imprimerie"),
    "granvallet_1": ("Call about the Christmas stall", "Appel sur le stand de Noël"),
    "granvallet_2": ("First email", "Premier contact par email"),
    "orsetti_1": ("Tour of finished gardens", "Visite de jardins réalisés"),
    "orsetti_2": ("Reminder about the quote", "Relance sur le devis du site"),
    "orsetti_3": ("Mock-up presentation", "Présentation de la maquette"),
    "orsetti_4": ("First lunch", "Déjeuner de rencontre"),
}


# --- Building --------------------------------------------------------------------
def build_sample(today: date) -> SampleData:
    """The sample with every date placed relative to ``today``; pure and repeatable."""
    return SampleData(
        today=today,
        companies=_build_companies(),
        contacts=_build_contacts(),
        opportunities=_build_opportunities(today),
        interactions=_build_interactions(today),
    )


def slug(name: str) -> str:
    """``Terre & Émail`` -> ``terre-email``: a name made safe for a host name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore")
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.decode().lower()).strip("-")


def _build_companies() -> tuple[SampleCompany, ...]:
    return tuple(
        SampleCompany(
            key=key,
            name=name,
            website=f"https://www.{slug(name)}.example",
            email=f"contact@{slug(name)}.example",
            phone=f"+33 1 99 00 {10 + index:02d} {20 + index:02d}",
            address=address,
            notes=_text(*_COMPANY_NOTES[key]),
        )
        for index, (key, name, address) in enumerate(_COMPANIES)
    )


def _build_contacts() -> tuple[SampleContact, ...]:
    names = {key: name for key, name, _ in _COMPANIES}
    rows = [(company, *row) for company, group in _CONTACTS.items() for row in group]
    return tuple(
        SampleContact(
            key=key,
            name=name,
            company=company,
            job_title=_text(en, fr),
            email=f"{key}@{slug(names[company])}.example",
            phone=f"+33 6 39 98 {30 + index:02d} {40 + index:02d}",
        )
        for index, (company, key, name, en, fr) in enumerate(rows)
    )


def _build_opportunities(today: date) -> tuple[SampleOpportunity, ...]:
    def day(offset: int | None) -> date | None:
        return None if offset is None else today + timedelta(days=offset)

    opportunities = []
    for key, company, contacts, stage, amount in _OPPORTUNITIES:
        stage_days = _STAGE_DAYS.get(key, {})
        opportunities.append(
            SampleOpportunity(
                key=key,
                name=_text(*_OPPORTUNITY_NAMES[key]),
                company=company,
                contacts=tuple(contacts.split()),
                stage=stage,
                amount=amount,
                due_date=day(_DUE_IN_DAYS.get(key)),
                quote_sent_on=day(stage_days.get("quote_sent_on")),
                started_on=day(stage_days.get("started_on")),
                completed_on=day(stage_days.get("completed_on")),
                closed_on=day(stage_days.get("closed_on")),
            )
        )
    return tuple(opportunities)


def _build_interactions(today: date) -> tuple[SampleInteraction, ...]:
    company_of = {
        contact[0]: company for company, group in _CONTACTS.items() for contact in group
    }
    return tuple(
        SampleInteraction(
            key=key,
            name=_text(*_INTERACTION_NAMES[key]),
            kind=kind,
            on=today + timedelta(days=offset),
            at=time.fromisoformat(at) if at else None,
            company=company_of[contacts.split()[0]],
            contacts=tuple(contacts.split()),
            opportunity=opportunity or None,
        )
        for key, kind, offset, at, contacts, opportunity in _INTERACTIONS
    )


# --- Loading through the API -----------------------------------------------------
class PagesApi(Protocol):
    """The part of ``notion_client.Client.pages`` the demo uses."""

    def create(self, **kwargs: Any) -> Any: ...

    def update(self, page_id: str, **kwargs: Any) -> Any: ...


class PagesClient(Protocol):
    """A client with a ``pages`` endpoint, such as ``notion_client.Client``."""

    @property
    def pages(self) -> PagesApi: ...


@dataclass(slots=True)
class SampleHandles:
    """Page ids of the pages created, by local key; the story adds its own."""

    companies: dict[str, str] = field(default_factory=dict)
    contacts: dict[str, str] = field(default_factory=dict)
    opportunities: dict[str, str] = field(default_factory=dict)
    interactions: dict[str, str] = field(default_factory=dict)

    def all(self) -> dict[str, str]:
        """Every local key with its page id."""
        return {
            **self.companies,
            **self.contacts,
            **self.opportunities,
            **self.interactions,
        }

    def page_id(self, key: str) -> str:
        """The page id of a local key, whatever its database."""
        return self.all()[key]


class _Properties:
    """Builds a page's ``properties`` in Notion's write shapes, keyed by property id.

    Ids rather than names, so that the sample loads into a workspace whose
    properties people have renamed.
    """

    def __init__(self, binding: Binding, database: str) -> None:
        self._database = binding.database(database)
        self._name = database
        self.payload: JsonDict = {}

    def _id(self, key: str) -> str:
        prop = self._database.properties.get(key)
        if prop is None:
            raise WorkspaceError(
                f"The {self._name} database has no bound property {key!r}.",
                hint="Run notion-crm provision to repair the workspace.",
            )
        return prop.id

    def title(self, key: str, text: str) -> None:
        self.payload[self._id(key)] = {"title": _rich_text(text)}

    def rich_text(self, key: str, text: str) -> None:
        self.payload[self._id(key)] = {"rich_text": _rich_text(text)}

    def plain(self, key: str, kind: str, value: str) -> None:
        """A url, email or phone_number value."""
        self.payload[self._id(key)] = {kind: value}

    def number(self, key: str, value: int | None) -> None:
        if value is not None:
            self.payload[self._id(key)] = {"number": value}

    def select(self, key: str, option_key: str) -> None:
        """A select value, by option id so that renamed options still match."""
        prop_id = self._id(key)
        option_id = self._database.properties[key].options.get(option_key)
        if option_id is None:
            raise WorkspaceError(
                f"The {self._name} property {key!r} has no option {option_key!r}.",
                hint="Run notion-crm provision to put the missing option back.",
            )
        self.payload[prop_id] = {"select": {"id": option_id}}

    def date(self, key: str, start: date | str | None) -> None:
        if start is not None:
            text = start if isinstance(start, str) else start.isoformat()
            self.payload[self._id(key)] = {"date": {"start": text}}

    def relation(self, key: str, page_ids: Iterable[str]) -> None:
        ids = [{"id": page_id} for page_id in page_ids]
        if ids:
            self.payload[self._id(key)] = {"relation": ids}


def _rich_text(text: str) -> list[JsonDict]:
    return [{"type": "text", "text": {"content": text}}]


def _create(
    client: PagesClient, binding: Binding, database: str, props: _Properties
) -> str:
    parent = {
        "type": "data_source_id",
        "data_source_id": binding.database(database).data_source_id,
    }
    page = client.pages.create(parent=parent, properties=props.payload)
    return str(page["id"])


def create_company(
    client: PagesClient,
    binding: Binding,
    handles: SampleHandles,
    company: SampleCompany,
    *,
    locale: Locale,
) -> str:
    """Create one company page and record its id under its key."""
    props = _Properties(binding, "companies")
    props.title("name", company.name)
    props.plain("website", "url", company.website)
    props.plain("email", "email", company.email)
    props.plain("phone", "phone_number", company.phone)
    props.rich_text("address", company.address)
    props.rich_text("notes", company.notes(locale))

    handles.companies[company.key] = _create(client, binding, "companies", props)
    return handles.companies[company.key]


def create_contact(
    client: PagesClient,
    binding: Binding,
    handles: SampleHandles,
    contact: SampleContact,
    *,
    locale: Locale,
) -> str:
    """Create one contact page, linked to its company (Notion fills the back side)."""
    props = _Properties(binding, "contacts")
    props.title("name", contact.name)
    props.relation("company", [handles.companies[contact.company]])
    props.rich_text("job_title", contact.job_title(locale))
    props.plain("email", "email", contact.email)
    props.plain("phone", "phone_number", contact.phone)

    handles.contacts[contact.key] = _create(client, binding, "contacts", props)
    return handles.contacts[contact.key]


def create_opportunity(
    client: PagesClient,
    binding: Binding,
    handles: SampleHandles,
    opportunity: SampleOpportunity,
    *,
    locale: Locale,
) -> str:
    """Create one opportunity page with its stage, amount and any stage dates."""
    props = _Properties(binding, "opportunities")
    props.title("name", opportunity.name(locale))
    props.relation("company", [handles.companies[opportunity.company]])
    props.relation("contacts", [handles.contacts[k] for k in opportunity.contacts])
    props.select("stage", opportunity.stage)
    props.number("amount", opportunity.amount)
    props.date("due_date", opportunity.due_date)
    for key, value in opportunity.stage_dates().items():
        props.date(key, value)

    page_id = _create(client, binding, "opportunities", props)
    handles.opportunities[opportunity.key] = page_id
    return page_id


def create_interaction(
    client: PagesClient,
    binding: Binding,
    handles: SampleHandles,
    interaction: SampleInteraction,
    *,
    locale: Locale,
) -> str:
    """Create one interaction page, linked to its company, contacts and opportunity."""
    props = _Properties(binding, "interactions")
    props.title("name", interaction.name(locale))
    props.date("date", interaction.date_start())
    props.select("type", interaction.kind)
    props.relation("company", [handles.companies[interaction.company]])
    props.relation("contacts", [handles.contacts[k] for k in interaction.contacts])
    if interaction.opportunity is not None:
        props.relation("opportunity", [handles.opportunities[interaction.opportunity]])

    page_id = _create(client, binding, "interactions", props)
    handles.interactions[interaction.key] = page_id
    return page_id


def set_stage(client: PagesClient, binding: Binding, page_id: str, stage: str) -> None:
    """Move an opportunity to another stage, by option id, as a person would."""
    props = _Properties(binding, "opportunities")
    props.select("stage", stage)
    client.pages.update(page_id, properties=props.payload)


def load_sample(
    client: PagesClient,
    binding: Binding,
    sample: SampleData,
    *,
    locale: Locale,
) -> SampleHandles:
    """Create every sample page: companies, contacts, opportunities, interactions.

    ``client`` should act as a person (the person token), as if the rows were typed
    in Notion. Relations are set from the side that holds one or few pages; Notion
    fills the other side. One request per page, about a hundred in all.
    """
    handles = SampleHandles()
    for company in sample.companies:
        create_company(client, binding, handles, company, locale=locale)
    for contact in sample.contacts:
        create_contact(client, binding, handles, contact, locale=locale)
    for opportunity in sample.opportunities:
        create_opportunity(client, binding, handles, opportunity, locale=locale)
    for interaction in sample.interactions:
        create_interaction(client, binding, handles, interaction, locale=locale)
    return handles
