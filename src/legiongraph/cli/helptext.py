"""Help text shared by the ``legiongraph`` commands: which store a command reads or writes."""

from __future__ import annotations

import click

from ..config import Config
from ..query.stats import store_location

__all__ = ["StoreCommand"]


class StoreCommand(click.Command):
    """A command that reads or writes the store: its help ends by naming that store."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Write the epilog, then which store this command uses with the options given."""
        super().format_epilog(ctx, formatter)
        config = ctx.find_object(Config)
        if config is not None:
            formatter.write_paragraph()
            # On a line of its own, never wrapped: wrapping breaks a path at its hyphens, and a path
            # copied from the help must work.
            formatter.write(f"{'':>{formatter.current_indent}}Store: the {store_location(config)}\n")
            formatter.write_text("Change it with --store-path before the command, or "
                                 "LEGIONGRAPH_STORE_PATH.")
