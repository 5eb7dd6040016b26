"""notion-crm: keep a small-business CRM in Notion honest.

The package reads top to bottom as the data flows: ``schema`` declares the workspace,
``provision`` builds it, ``notion`` is the one gateway to the API, ``sync`` computes
what Notion cannot, ``store`` remembers, ``daemon`` repeats, and ``cli`` talks to
people. ``emulator`` is a stateful stand-in for the Notion API used by the demo and
the tests.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
