"""`python -m arrears` runs the command line."""

from arrears.entrypoints.cli.main import run

run()
