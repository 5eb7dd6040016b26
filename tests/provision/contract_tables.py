"""The workspace of product contract section 2, written out by hand from the contract.

Tests compare what provisioning built against these tables, not against the schema
files, so that a mistake in ``schemas/`` cannot hide behind itself.
"""

from __future__ import annotations

TYPES = {
    "companies": [
        "title", "select", "relation", "relation", "relation", "number", "number",
        "number", "date", "date", "url", "email", "phone_number", "rich_text",
        "select", "rich_text",
    ],
    "contacts": [
        "title", "relation", "rich_text", "email", "phone_number", "url", "relation",
        "relation", "date", "rich_text",
    ],
    "opportunities": [
        "title", "relation", "relation", "select", "number", "date", "date", "date",
        "date", "date", "relation", "date", "checkbox", "files", "rich_text",
    ],
    "interactions": [
        "title", "date", "select", "relation", "relation", "relation", "rich_text",
    ],
}  # fmt: skip

NAMES = {
    "en": {
        "Companies": [
            "Name", "Status", "Contacts", "Opportunities", "Interactions",
            "Active projects", "Signed revenue", "Potential revenue",
            "Last interaction", "Next interaction", "Website", "Email", "Phone",
            "Address", "Industry", "Notes",
        ],
        "Contacts": [
            "Name", "Company", "Job title", "Email", "Phone", "LinkedIn",
            "Opportunities", "Interactions", "Last interaction", "Notes",
        ],
        "Opportunities": [
            "Name", "Company", "Contacts", "Stage", "Amount", "Due date",
            "Quote sent on", "Started on", "Completed on", "Closed on", "Interactions",
            "Last interaction", "Needs follow-up", "Documents", "Notes",
        ],
        "Interactions": [
            "Name", "Date", "Type", "Company", "Contacts", "Opportunity", "Notes",
        ],
    },
    "fr": {
        "Entreprises": [
            "Nom", "Statut", "Contacts", "Projets", "Interactions", "Projets en cours",
            "CA signé", "Montant potentiel", "Dernière interaction",
            "Prochaine interaction", "Site web", "Email", "Téléphone", "Adresse",
            "Secteur", "Notes",
        ],
        "Contacts": [
            "Nom", "Entreprise", "Fonction", "Email", "Téléphone", "LinkedIn",
            "Projets", "Interactions", "Dernière interaction", "Notes",
        ],
        "Projets / Opportunités": [
            "Nom", "Entreprise", "Contacts", "Statut", "Montant", "Échéance",
            "Date d'envoi du devis", "Date de lancement", "Date de fin",
            "Date de clôture", "Interactions", "Dernière interaction", "À relancer",
            "Documents", "Notes",
        ],
        "Interactions & réunions": [
            "Nom", "Date", "Type", "Entreprise", "Contacts", "Projet", "Notes",
        ],
    },
}  # fmt: skip

KEYS = ["companies", "contacts", "opportunities", "interactions"]

# (database, property index) -> (target database, property index of the pair)
PAIRS = [
    (("contacts", 1), ("companies", 2)),
    (("opportunities", 1), ("companies", 3)),
    (("interactions", 3), ("companies", 4)),
    (("opportunities", 2), ("contacts", 6)),
    (("interactions", 4), ("contacts", 7)),
    (("interactions", 5), ("opportunities", 10)),
]

STAGES = {
    "en": [
        "Contact initiated", "To contact", "Quote to send", "Quote sent", "Follow-up",
        "Project launched", "Project completed", "Refused / cancelled",
    ],
    "fr": [
        "Contact initié", "À contacter", "Devis à envoyer", "Devis envoyé", "Relance",
        "Projet lancé", "Projet terminé", "Refusé / annulé",
    ],
}  # fmt: skip

STATUSES = {
    "en": ["Prospect", "Client", "Former client"],
    "fr": ["Prospect", "Client", "Ancien client"],
}
TYPES_OPTIONS = {
    "en": ["Email", "Call", "Meeting", "Lunch", "Other"],
    "fr": ["Email", "Appel", "Rendez-vous", "Déjeuner", "Autre"],
}
EURO = {("companies", 6), ("companies", 7), ("opportunities", 4)}

VIEWS = {
    "en": {
        "companies": {"All": "table"},
        "contacts": {"All": "table"},
        "opportunities": {
            "All": "table", "Pipeline": "board", "Calendar": "calendar",
            "Open deals": "table", "Launched projects": "table", "Archive": "table",
            "Follow-ups": "table",
        },
        "interactions": {"All": "table", "Log": "table", "Calendar": "calendar"},
    },
    "fr": {
        "companies": {"Tout": "table"},
        "contacts": {"Tout": "table"},
        "opportunities": {
            "Tout": "table", "Pipeline": "board", "Calendrier": "calendar",
            "Échanges en cours": "table", "Projets lancés": "table",
            "Archives": "table", "À relancer": "table",
        },
        "interactions": {"Tout": "table", "Journal": "table", "Calendrier": "calendar"},
    },
}  # fmt: skip

DASHBOARD_TITLE = {"en": "CRM", "fr": "CRM — Tableau de bord"}
KPI_LABELS = {
    "en": [
        "Prospects", "Active opportunities", "Quotes in discussion", "Pending pipeline",
        "Conversion rate", "Projects running", "Projects completed", "Signed revenue",
        "Follow-ups due",
    ],
    "fr": [
        "Prospects", "Opportunités actives", "Devis en discussion",
        "Prévisionnel en attente", "Taux de conversion", "Projets en cours",
        "Projets terminés", "CA signé", "Relances à faire",
    ],
}  # fmt: skip
