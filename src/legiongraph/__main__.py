"""Allow ``python -m legiongraph``."""

from .cli.main import main

main()
