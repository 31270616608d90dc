"""`python -m dyads`: the same command line as the `dyads` script."""

from dyads.cli.main import main

main()
