"""The demo's story: a person's edits, replayed step by step on the sample.

It follows the use case of product contract §6: a new company comes in, with a
contact, a discovery call and an opportunity that moves to Quote to send, Quote
sent (the engine stamps the date), then Project launched (the company becomes a
client and the figures move); last, an older deal is refused and the conversion
rate moves. The demo runs one sync cycle after the sample is loaded and one after
each step, and :data:`EXPECTED_KPIS` says what the dashboard must show each time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from notion_crm.demo.sample import (
    PagesClient,
    SampleCompany,
    SampleContact,
    SampleHandles,
    SampleInteraction,
    SampleOpportunity,
    create_company,
    create_contact,
    create_interaction,
    create_opportunity,
    set_stage,
)
from notion_crm.schema.binding import Binding
from notion_crm.schema.model import Locale, Text

KpiValue = int | float | str | None
"""A KPI as ``sync --json`` gives it: a count, euros, a percent, or None."""


@dataclass(slots=True)
class StoryContext:
    """What a step needs: the person's client, the ids, and the pages so far.

    ``handles`` starts as :func:`load_sample`'s result; steps add the pages they
    create. ``today`` must be the engine's today (in its time zone), the same day
    the sample was built for.
    """

    client: PagesClient
    binding: Binding
    handles: SampleHandles
    locale: Locale
    today: date


@dataclass(frozen=True, slots=True)
class Step:
    """One edit of the story, titled in every locale."""

    key: str
    title: Text
    apply: Callable[[StoryContext], None]


COMPANY = SampleCompany(
    key="ravenel",
    name="Atelier Lumière Ravenel",
    website="https://www.atelier-lumiere-ravenel.example",
    email="contact@atelier-lumiere-ravenel.example",
    phone="+33 1 99 00 90 91",
    address="4 passage des Verriers, 69001 Lyon",
    notes=Text(en="Handmade lamps and lighting", fr="Luminaires faits main"),
)
"""The company the story brings in."""

CONTACT = SampleContact(
    key="elise",
    name="Élise Ravenel",
    company=COMPANY.key,
    job_title=Text(en="Founder", fr="Fondatrice"),
    email="elise@atelier-lumiere-ravenel.example",
    phone="+33 6 39 98 90 92",
)
"""Its founder, the story's contact."""

OPPORTUNITY = SampleOpportunity(
    key="ravenel_catalogue",
    name=Text(en="Lighting catalogue", fr="Catalogue des luminaires"),
    company=COMPANY.key,
    contacts=(CONTACT.key,),
    stage="contact_initiated",
    amount=4800,
)
"""The opportunity the story takes from first contact to a launched project."""

REFUSED = "costevane_stand"
"""The sample opportunity (a follow-up already due) that the last step refuses."""


def _discovery_call(today: date) -> SampleInteraction:
    return SampleInteraction(
        key="ravenel_discovery",
        name=Text(en="Discovery call", fr="Appel découverte"),
        kind="call",
        on=today,
        at=None,
        company=COMPANY.key,
        contacts=(CONTACT.key,),
        opportunity=None,
    )


def _create_company(ctx: StoryContext) -> None:
    create_company(ctx.client, ctx.binding, ctx.handles, COMPANY, locale=ctx.locale)


def _create_contact(ctx: StoryContext) -> None:
    create_contact(ctx.client, ctx.binding, ctx.handles, CONTACT, locale=ctx.locale)


def _log_discovery_call(ctx: StoryContext) -> None:
    call = _discovery_call(ctx.today)
    create_interaction(ctx.client, ctx.binding, ctx.handles, call, locale=ctx.locale)


def _create_opportunity(ctx: StoryContext) -> None:
    create_opportunity(
        ctx.client, ctx.binding, ctx.handles, OPPORTUNITY, locale=ctx.locale
    )


def _move_to(stage: str, opportunity: str) -> Callable[[StoryContext], None]:
    def apply(ctx: StoryContext) -> None:
        page_id = ctx.handles.opportunities[opportunity]
        set_stage(ctx.client, ctx.binding, page_id, stage)

    return apply


STORY: tuple[Step, ...] = (
    Step(
        "company",
        Text(
            en="A new company: Atelier Lumière Ravenel",
            fr="Une nouvelle entreprise : Atelier Lumière Ravenel",
        ),
        _create_company,
    ),
    Step(
        "contact",
        Text(
            en="Its founder, Élise Ravenel, becomes a contact",
            fr="Sa fondatrice, Élise Ravenel, devient un contact",
        ),
        _create_contact,
    ),
    Step(
        "discovery_call",
        Text(
            en="A discovery call with Élise, today",
            fr="Un appel découverte avec Élise, aujourd'hui",
        ),
        _log_discovery_call,
    ),
    Step(
        "opportunity",
        Text(
            en="An opportunity: a lighting catalogue, about €4,800",
            fr="Un projet : le catalogue des luminaires, environ 4 800 €",
        ),
        _create_opportunity,
    ),
    Step(
        "quote_to_send",
        Text(
            en="The catalogue moves to Quote to send",
            fr="Le catalogue passe en Devis à envoyer",
        ),
        _move_to("quote_to_send", OPPORTUNITY.key),
    ),
    Step(
        "quote_sent",
        Text(
            en="Quote sent: the engine stamps Quote sent on",
            fr="Devis envoyé : le moteur remplit la date d'envoi",
        ),
        _move_to("quote_sent", OPPORTUNITY.key),
    ),
    Step(
        "project_launched",
        Text(
            en="Accepted: project launched, the company becomes a client",
            fr="Accepté : projet lancé, l'entreprise devient cliente",
        ),
        _move_to("project_launched", OPPORTUNITY.key),
    ),
    Step(
        "refused",
        Text(
            en="Menuiserie Costevane turns down the home fair stand",
            fr="La Menuiserie Costevane renonce au stand du salon",
        ),
        _move_to("refused", REFUSED),
    ),
)
"""The story, in order."""


def story_steps() -> tuple[Step, ...]:
    """The story's steps, in the order the demo replays them."""
    return STORY


_BEFORE_OPPORTUNITY: dict[str, KpiValue] = {
    "prospects": 9,
    "active_opportunities": 14,
    "quotes_in_discussion": 7,
    "pending_pipeline": 37450,
    "conversion_rate": 100 * 4 / 6,
    "projects_running": 2,
    "projects_completed": 2,
    "signed_revenue": 16500,
    "follow_ups_due": 4,
}

_AFTER_OPPORTUNITY = {**_BEFORE_OPPORTUNITY, "active_opportunities": 15}

EXPECTED_KPIS: dict[str, dict[str, KpiValue]] = {
    "loaded": {**_BEFORE_OPPORTUNITY, "prospects": 8},
    "company": {**_BEFORE_OPPORTUNITY},
    "contact": {**_BEFORE_OPPORTUNITY},
    "discovery_call": {**_BEFORE_OPPORTUNITY},
    "opportunity": {**_AFTER_OPPORTUNITY},
    "quote_to_send": {**_AFTER_OPPORTUNITY},
    "quote_sent": {
        **_AFTER_OPPORTUNITY,
        "quotes_in_discussion": 8,
        "pending_pipeline": 42250,
    },
    "project_launched": {
        **_BEFORE_OPPORTUNITY,
        "prospects": 8,
        "conversion_rate": 100 * 5 / 7,
        "projects_running": 3,
        "signed_revenue": 21300,
    },
    "refused": {
        "prospects": 8,
        "active_opportunities": 13,
        "quotes_in_discussion": 6,
        "pending_pipeline": 32050,
        "conversion_rate": 100 * 5 / 8,
        "projects_running": 3,
        "projects_completed": 2,
        "signed_revenue": 21300,
        "follow_ups_due": 3,
    },
}
"""The KPIs after the sample is loaded and after each step, worked out by hand.

Keys: ``"loaded"``, then each step's key. Money in whole euros, the conversion
rate as a float percent (compare it with ``pytest.approx``). The figures do not
depend on the day: every sample date is an offset from the ``today`` the sample was
built for, which must be the engine's today in its time zone.

======================  ====  ======  ======  =======  =====  ===  ====  ======  ===
after                   pros  active  quotes  pending  conv%  run  done  signed  f-u
======================  ====  ======  ======  =======  =====  ===  ====  ======  ===
loaded                  8     14      7       37450    66.67  2    2     16500   4
company                 9     14      7       37450    66.67  2    2     16500   4
contact                 9     14      7       37450    66.67  2    2     16500   4
discovery_call          9     14      7       37450    66.67  2    2     16500   4
opportunity             9     15      7       37450    66.67  2    2     16500   4
quote_to_send           9     15      7       37450    66.67  2    2     16500   4
quote_sent              9     15      8       42250    66.67  2    2     16500   4
project_launched        8     14      7       37450    71.43  3    2     21300   4
refused                 8     13      6       32050    62.50  3    2     21300   3
======================  ====  ======  ======  =======  =====  ===  ====  ======  ===

How the sample gives the ``loaded`` row (contract §3, stage roles of crm.toml):

- Stages: contact_initiated 2 and to_contact 2 (lead), quote_to_send 3 (quoting),
  quote_sent 4 and follow_up 3 (proposal), project_launched 2 (won_active),
  project_completed 2 (won_done), refused 2 (lost): active = 4 + 3 + 7 = 14,
  quotes = 7, conversion = 4 won / 6 closed.
- Pending = proposal amounts 3500 + 5400 + 7500 + 4600 + 3900 + 2750 + 9800 = 37450.
  Signed = won amounts 6200 + 3300 + 2900 + 4100 = 16500. The three empty Amounts
  are on lead and quoting opportunities.
- Status: Client for Martelot and Pelladeau (won_active) and Costevane (completed 60
  days ago); Former client for Au Jardin de Clémence (completed 430 days ago);
  Prospect for the other 8, Imprimerie Lachenaud having no opportunity at all.
- Follow-ups: at the cold start an opportunity's last stage change is its latest
  stage date (all sample proposals have a Quote sent on). Due (both older than 7
  days): martelot_webshop (quote 15 days ago, last interaction 12), costevane_stand
  (25, 10), terre_email_catalogue (10, 18), orsetti_website (45, 30; its meeting in
  4 days is in the future and does not count). Not due: pelladeau_terrace (quote 3
  days ago), bruneliere_website (call 2 days ago), castagnede_packaging (quote 6
  days ago). No figure sits on the 7-day or 365-day boundary.

Steps: the new company is a Prospect (+1) until its opportunity is launched; the
opportunity counts as active from its creation, as a quote in discussion with its
4800 € at Quote sent (stamped today, so no follow-up), then as won: running +1,
signed +4800, conversion 5/7. Refusing costevane_stand (follow_up, 5400 €, due)
takes it out of active, quotes, pending and follow-ups; conversion 5/8 = 62.5,
shown "63%" since the contract rounds half up. This assumes, as the contract says,
that the cold start records no transition for the sample's pages.
"""


def expected_story_values(today: date) -> dict[str, dict[str, KpiValue]]:
    """A copy of :data:`EXPECTED_KPIS` for a sample built for ``today``.

    The figures are the same for every day, since the sample's dates move with it;
    ``today`` only documents which day the caller built the sample for.
    """
    return {key: dict(values) for key, values in EXPECTED_KPIS.items()}
