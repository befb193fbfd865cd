"""Domain errors raised by services; views turn them into French messages."""


class DomainError(Exception):
    """A rule refused the action; str(error) is a French message for the user."""


class NotAllowed(DomainError):
    pass


class InvalidTransition(DomainError):
    pass


class Conflict(DomainError):
    pass
