"""What casework refuses, in words a handler or an applicant can act on (ValueError, so a
view may show str(exc) as it is)."""


class CaseError(ValueError):
    """Anything casework refuses."""


class IllegalTransition(CaseError):
    """The action does not apply to the case or task in its present state."""


class NotAddressed(CaseError):
    """The site has no part in the case (or not this part)."""


class UploadRejected(CaseError):
    """A file that is too large, empty, or not of an accepted type."""
