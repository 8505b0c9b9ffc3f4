"""Online interviews (X4): questions held until approved, the live transcript polled with
ETags, the page cache purged on every transcript change, the archive."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sites.interaction import services
from sites.interaction.models import InterviewQuestion
from tests.clients import admin_client, fetch
from tests.pagecache.helpers import warm

from . import helpers

pytestmark = pytest.mark.django_db


def test_questions_are_held_then_approved_into_the_transcript(alpha, beta, in_site):
    host = alpha.primary_domain
    with in_site(alpha):
        page = helpers.interview()
        url = page.url
    asked = Client().post(
        f"{url}ask/",
        {"author_name": "小王", "content": "<b>营业执照</b>多久能办好？"},
        HTTP_HOST=host,
    )
    assert "已提交" in asked.content.decode()
    poll = Client().get(f"{url}transcript/", HTTP_HOST=host)
    assert json.loads(poll.content)["entries"] == []
    admin = admin_client(alpha)
    console = admin.get(f"/admin/interaction/interviews/{page.pk}/").content.decode()
    assert "&lt;b&gt;营业执照&lt;/b&gt;多久能办好" in console
    assert admin_client(beta).get(f"/admin/interaction/interviews/{page.pk}/").status_code == 404
    with in_site(alpha):
        question = InterviewQuestion.objects.get(page=page)
    admin.post(
        f"/admin/interaction/interviews/{page.pk}/", {"question": question.pk, "action": "approve"}
    )
    admin.post(
        f"/admin/interaction/interviews/{page.pk}/",
        {"speaker": "李局长", "role": "guest", "text": "材料齐全当天办结。"},
    )
    entries = json.loads(Client().get(f"{url}transcript/", HTTP_HOST=host).content)["entries"]
    assert [(e["speaker"], e["text"]) for e in entries] == [
        (
            "网友“小王”",
            "<b>营业执照</b>多久能办好？",
        ),  # JSON text: the page script sets textContent
        ("李局长", "材料齐全当天办结。"),
    ]


def test_the_poll_answers_304_while_nothing_changed_and_costs_no_transcript_query(alpha, in_site):
    host = alpha.primary_domain
    with in_site(alpha):
        page = helpers.interview()
        url = page.url
        services.post_entry(page, None, role="host", speaker="主持人", text="欢迎收看")
    first = Client().get(f"{url}transcript/", HTTP_HOST=host)
    etag = first["ETag"]
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        again = Client().get(f"{url}transcript/", HTTP_HOST=host, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert not any("transcriptentry" in q["sql"] for q in queries.captured_queries)
    with in_site(alpha):
        services.post_entry(page, None, role="guest", speaker="嘉宾", text="谢谢")
    changed = Client().get(f"{url}transcript/", HTTP_HOST=host, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert len(json.loads(changed.content)["entries"]) == 2


def test_the_cached_page_is_purged_when_the_transcript_changes(
    client, pagecache, alpha, in_site, committed
):
    host = alpha.primary_domain
    with in_site(alpha):
        page = helpers.interview()
        url = page.url
    cached = warm(client, host, url)
    assert b"csrfmiddlewaretoken" not in cached.content and b"interaction/live.js" in cached.content
    with in_site(alpha), committed():
        services.post_entry(page, None, role="guest", speaker="嘉宾", text="一网通办全面上线")
    fresh = fetch(client, host, url)
    assert fresh["X-Page-Cache"] != "hit" and "一网通办全面上线" in fresh.content.decode()


def test_the_archive_keeps_the_transcript_and_takes_no_more_questions(alpha, in_site):
    host = alpha.primary_domain
    with in_site(alpha):
        page = helpers.interview(starts=-5, ends=-3)
        url = page.url
        services.post_entry(page, None, role="guest", speaker="嘉宾", text="往期内容")
    html = Client().get(url, HTTP_HOST=host).content.decode()
    assert "往期回顾" in html and "往期内容" in html and "我要提问" not in html
    assert 'data-live="1"' not in html
    refused = Client().post(f"{url}ask/", {"content": "还能问吗"}, HTTP_HOST=host).content.decode()
    assert "不再接受提问" in refused
    with in_site(alpha):
        assert not page.questions.exists()


def test_the_poll_is_served_from_the_page_cache_and_purged_with_the_page(
    client, pagecache, alpha, in_site, committed
):
    host = alpha.primary_domain
    with in_site(alpha):
        page = helpers.interview()
        url = f"{page.url}transcript/"
        services.post_entry(page, None, role="host", speaker="主持人", text="开始")
    warm(client, host, url)
    with CaptureQueriesContext(connection) as queries:
        hit = fetch(client, host, url)
    assert hit["X-Page-Cache"] == "hit" and len(queries.captured_queries) == 0
    not_modified = fetch(client, host, url, HTTP_IF_NONE_MATCH=hit["ETag"])
    assert not_modified.status_code == 304
    with in_site(alpha), committed():
        services.post_entry(page, None, role="guest", speaker="嘉宾", text="新的一段")
    fresh = fetch(client, host, url, HTTP_IF_NONE_MATCH=hit["ETag"])
    assert fresh.status_code == 200 and fresh["X-Page-Cache"] != "hit"
    assert [e["text"] for e in json.loads(fresh.content)["entries"]] == ["开始", "新的一段"]
