"""Who may override a finding: a reviewer, not the editor who wrote it."""

from security.roles import CONFIDENTIALITY_REVIEWER, REVIEWER, WEBMASTER

OVERRIDING_ROLES = (REVIEWER, CONFIDENTIALITY_REVIEWER, WEBMASTER)


def can_override(user, page) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if user.groups.filter(name__in=OVERRIDING_ROLES).exists():
        return True
    return page.permissions_for_user(user).can_publish()
