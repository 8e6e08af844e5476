"""tcmap: map how an agency's technical cooperation builds capacity, strengthen it, report on it."""

__version__ = "0.1.0"
