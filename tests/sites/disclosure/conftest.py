"""Disclosure fixtures: the roles of the review flow."""

import pytest

from sites.disclosure import workflows as w

from .factories import make_user


@pytest.fixture
def staff(in_alpha):
    """The four roles of the review flow on alpha."""
    return {
        "editor": make_user("t_editor", w.EDITOR),
        "reviewer": make_user("t_reviewer", w.REVIEWER),
        "secrecy": make_user("t_secrecy", w.CONFIDENTIALITY_REVIEWER),
        "leader": make_user("t_leader", w.LEADER),
    }
