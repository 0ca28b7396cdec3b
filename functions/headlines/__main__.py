"""`python -m headlines` runs the CLI."""

from headlines.cli.app import main

if __name__ == "__main__":
    main()
