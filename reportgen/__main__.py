"""``python -m reportgen`` runs the command line, exactly as the ``reportgen`` script does."""

from reportgen.cli.main import entry

entry()
