"""Domain services: the business rules of the catalogue.

Services are plain functions that check permission, enforce the rule, change the data, flush and
record the audit event. They never commit: the request (``portal.views.transaction``) or the CLI command
that called them commits once.
They raise the exceptions below; the app turns them into 403, 404 and 400 pages.
"""


class PermissionDenied(Exception):
    """The actor may not do this (403)."""


class NotFound(Exception):
    """The object does not exist, or the actor may not know that it does (404)."""


class RuleViolation(ValueError):
    """A business rule refused the change; ``field`` names the form field at fault, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def errors(self) -> dict[str | None, list[str]]:
        """Messages by the field they concern (None: the form as a whole)."""
        return {self.field: [self.message]}


class RulesViolated(RuleViolation):
    """Several rules refused the change at once; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        first_field, messages = next(iter(errors.items()))
        super().__init__(messages[0], first_field)
        self._errors = errors

    @property
    def errors(self) -> dict[str | None, list[str]]:
        return self._errors
