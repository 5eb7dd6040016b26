"""``python -m notion_crm`` runs the command-line interface."""

from notion_crm.cli import main

if __name__ == "__main__":
    main()
