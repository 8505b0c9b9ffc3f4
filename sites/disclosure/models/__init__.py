"""Government information: catalogue data, the disclosure item types, catalogue and topic pages."""

from .catalogue import Department, IndexNumberSequence, ReviewRoute, TopicCategory
from .emergency import EmergencyRelease
from .items import (
    DisclosureArticlePage,
    DisclosureItem,
    EmergencyInformationPage,
    LeaderProfilePage,
    OrganisationPage,
    PolicyDocumentPage,
    PolicyInterpretationPage,
    StatisticsReleasePage,
)
from .pages import CataloguePage, TopicItem, TopicPage

__all__ = [
    "CataloguePage",
    "Department",
    "DisclosureArticlePage",
    "DisclosureItem",
    "EmergencyInformationPage",
    "EmergencyRelease",
    "IndexNumberSequence",
    "LeaderProfilePage",
    "OrganisationPage",
    "PolicyDocumentPage",
    "PolicyInterpretationPage",
    "ReviewRoute",
    "StatisticsReleasePage",
    "TopicCategory",
    "TopicItem",
    "TopicPage",
]
