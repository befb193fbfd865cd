"""Domain errors raised by services; views turn them into French messages."""


class DomainError(Exception):
    """A rule refused the action; str(error) is a French message for the user."""


class NotAllowed(DomainError):
    """The actor's role or relation to the object does not allow the action."""


class InvalidTransition(DomainError):
    """A state machine refused the move from the current state."""


class Conflict(DomainError):
    """The action collides with existing data (a duplicate, a concurrent change)."""
