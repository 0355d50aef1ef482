"""Training code for every bundled model: ``python -m playground.train <what> --help``."""
