"""kootui: a self-hosted, keyboard-driven terminal console for sending email at scale."""

__version__ = "0.1.0"
