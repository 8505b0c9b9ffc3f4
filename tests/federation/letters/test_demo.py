"""The demo city's interaction content: pages written in bulk, filled, projected into the
library (the FAQ is searchable), letters in every state; a second run adds nothing."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from federation.casework.models import Case
from federation.letters import demo
from federation.library.models import LibraryItem
from federation.search.models import SearchDocument

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_pages_with_content_and_letters_once(portal, alpha, beta):
    result = demo.seed()
    assert result == {"interaction pages": 7, "letters": 11}
    with schema_context(portal.schema_name):
        from sites.interaction.models import (
            BoardPost,
            InterviewPage,
            SurveyPage,
            SurveyTally,
        )

        closed = SurveyPage.objects.get(slug="gjxl")
        assert closed.live and closed.responses.count() == 120
        assert SurveyTally.objects.filter(question__page=closed).exists()
        interview = InterviewPage.objects.get()
        assert interview.transcript.count() == interview.transcript_version > 0
        assert BoardPost.objects.filter(status="approved").count() == 4
        urls = [closed.url, interview.url, f"{interview.url}transcript/"]
    for url in urls:
        assert Client(HTTP_HOST=portal.primary_domain).get(url).status_code == 200, url
    faq = LibraryItem.objects.get(site=portal, title__contains="热点解答", withdrawn=False)
    assert SearchDocument.objects.filter(item=faq).exists()
    states = set(
        Case.objects.filter(client_token__startswith="demo-").values_list("status", flat=True)
    )
    assert {"submitted", "accepted", "in_progress", "completed"} <= states
    assert demo.seed() == {"interaction pages": 0, "letters": 0}
