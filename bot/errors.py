"""Errors a user can act on: each message says what went wrong and how to fix it."""


class CitebotError(Exception):
    """Base class; `str(err)` is a one-line message fit to show a user."""


class ConfigError(CitebotError):
    """A setting is missing or invalid (names the environment variable)."""


class InputError(CitebotError):
    """The user's input cannot be used (empty question, missing path, ...)."""


class StoreUnavailable(CitebotError):
    """The vector store cannot be reached or opened."""


class EmptyStore(CitebotError):
    """Nothing has been ingested yet."""


class NotFound(CitebotError):
    """A named document does not exist."""


class RateLimited(CitebotError):
    """The user asked more questions this minute than CITEBOT_RATE_LIMIT allows."""
