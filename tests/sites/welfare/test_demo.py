"""The demo seeders: real-looking dictionaries and a district's agricultural channel, twice
without duplicates."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from security.screening import demo as screening_demo
from security.screening import services
from security.screening.models import ScreeningTerm
from sites.welfare import demo
from sites.welfare.models import AgriculturePage, FeedRecord, FeedSource

pytestmark = pytest.mark.django_db


def test_demo_dictionaries_flag_a_wrong_leader_name_and_title(alpha):
    screening_demo.seed()
    screening_demo.seed()
    with schema_context("public"):
        count = ScreeningTerm.objects.count()
        assert count == len(screening_demo.WRONG_NAMES) + len(screening_demo.OUTDATED) + len(
            screening_demo.MISTAKES
        ) + len(screening_demo.SENSITIVE)
    with schema_context(alpha.schema_name):
        found = services.check_text("副市长张建国和市长李文化出席，乌海市卫生局通报。")
    assert [(f.text, f.suggestion) for f in found] == [
        ("副市长张建国", "市长张建国"),
        ("李文化", "李文华"),
        ("乌海市卫生局", "乌海市卫生健康委员会"),
    ]


def test_the_agricultural_channel_is_seeded_from_the_shipped_feeds(alpha):
    demo.seed_agriculture(alpha.schema_name, "http://127.0.0.1:8000/static/welfare/feeds/")
    demo.seed_agriculture(alpha.schema_name, "http://127.0.0.1:8000/static/welfare/feeds/")
    with schema_context(alpha.schema_name):
        assert FeedSource.objects.count() == 4 and FeedRecord.objects.count() == 53
        path = AgriculturePage.objects.get().get_url_parts()[2]
    html = Client(HTTP_HOST=alpha.primary_domain).get(path).content.decode()
    assert "暴雪蓝色预警" in html and "葡萄埋土越冬管理技术" in html and "price-chart" in html
