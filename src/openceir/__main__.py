"""`python -m openceir` runs the command line."""

from openceir.cli.main import run

run()
