"""Allow ``python -m legiongraph``."""

from .cli import main

main()
