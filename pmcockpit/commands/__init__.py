"""Subcommands of the ``pmcockpit`` CLI, one module per command group."""
