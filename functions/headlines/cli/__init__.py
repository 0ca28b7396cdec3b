"""The `headlines` command line."""
