"""The message board (X2): held until approved, limits, screen hits, escaping, the page cache,
search and isolation."""

import re

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from security.audit.models import AuditEvent
from sites.interaction import services
from sites.interaction.models import BoardPost
from tests.clients import admin_client, fetch
from tests.pagecache.helpers import warm

from . import helpers

pytestmark = pytest.mark.django_db


def write(client, host, url, **fields):
    data = {"subject": "路灯不亮", "content": "幸福路路灯坏了一周", "contact": "13800000000"}
    data.update(fields)
    return client.post(f"{url}write/", data, HTTP_HOST=host)


def approve(post, reply="已安排维修"):
    services.moderate_post(post, None, approve=True, reply=reply, replied_by="城管局")


def test_a_post_is_held_and_shown_only_when_approved_with_its_reply(alpha, in_site, committed):
    host = alpha.primary_domain
    with in_site(alpha):
        board = helpers.board()
        url = board.url
    response = write(Client(), host, url, subject="幸福路路灯坏了")
    assert response.status_code == 200 and "审核后公开" in response.content.decode()
    public = Client().get(url, HTTP_HOST=host).content.decode()
    assert "幸福路路灯坏了" not in public
    with in_site(alpha), committed():
        post = BoardPost.objects.get(subject="幸福路路灯坏了")
        approve(post, reply="路灯已于周三修复")
    public = Client().get(url, HTTP_HOST=host).content.decode()
    assert "幸福路路灯坏了" in public and "路灯已于周三修复" in public
    assert "13800000000" not in public  # the contact is never public
    with in_site(alpha):
        services.moderate_post(post, None, approve=False, reason="涉及个人隐私")
    assert "幸福路路灯坏了" not in Client().get(url, HTTP_HOST=host).content.decode()


def test_markup_is_neutralised_on_the_page_and_in_the_admin(alpha, in_site):
    host = alpha.primary_domain
    with in_site(alpha):
        board = helpers.board()
        url = board.url
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    write(Client(), host, url, subject=f"标题{evil}", content=f"正文{evil}")
    with in_site(alpha):
        post = BoardPost.objects.get(subject__startswith="标题<script>")
    admin = admin_client(alpha)
    for html in (
        admin.get("/admin/interaction/posts/").content.decode(),
        admin.get(f"/admin/interaction/posts/{post.pk}/").content.decode(),
    ):
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
        assert "<img src=x onerror" not in html
    with in_site(alpha):
        approve(post, reply=f"答复{evil}")
    html = Client().get(url, HTTP_HOST=host).content.decode()
    assert "<script>alert(1)" not in html and 'onerror="alert(2)"' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_limits_per_address_and_per_contact(alpha, in_site):
    host = alpha.primary_domain
    with in_site(alpha):
        board = helpers.board(daily_limit_per_address=3, daily_limit_per_contact=2)
        url = board.url
    browser = Client()
    assert (
        "已提交"
        in write(browser, host, url, content="一", contact="139 0000 0001").content.decode()
    )
    assert (
        "已提交" in write(browser, host, url, content="二", contact="13900000001").content.decode()
    )
    refused = write(browser, host, url, content="三", contact="13900000001").content.decode()
    assert "同一联系方式每天最多留言 2 条" in refused
    assert (
        "已提交" in write(browser, host, url, content="三", contact="13900000002").content.decode()
    )
    refused = write(browser, host, url, content="四", contact="13900000003").content.decode()
    assert "同一网络地址每天最多留言 3 条" in refused
    # Another address is not held back by this one.
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert "已提交" in write(other, host, url, content="五", contact="13900000004").content.decode()
    with in_site(alpha):
        assert board.posts.count() == 4


def test_moderators_see_the_screens_hits(alpha, in_site):
    host = alpha.primary_domain
    with in_site(alpha):
        board = helpers.board()
        url = board.url
    write(
        Client(), host, url, subject="优惠", content="点击 http://spam.example 领奖！！！！！！！！"
    )
    with in_site(alpha):
        post = board.posts.get()
    assert any("链接" in hit for hit in post.screen_hits)
    assert any("连续重复" in hit for hit in post.screen_hits)
    html = admin_client(alpha).get("/admin/interaction/posts/").content.decode()
    assert "含链接 1 处" in html


def test_the_cache_never_holds_a_held_post_and_approval_purges(
    client, pagecache, alpha, in_site, committed
):
    host = alpha.primary_domain
    with in_site(alpha):
        board = helpers.board()
        url = board.url
    write(Client(), host, url, subject="待审的留言")
    cached = warm(client, host, url)
    assert "待审的留言" not in cached.content.decode()
    with in_site(alpha), committed():
        approve(board.posts.get())
    fresh = fetch(client, host, url)
    assert fresh["X-Page-Cache"] != "hit" and "待审的留言" in fresh.content.decode()


def test_the_form_token_is_never_cached_into_another_visitors_page(pagecache, alpha, in_site):
    """The board's page is shared; its form is on a sub-URL the cache never stores, so each
    visitor gets their own token and the form works behind the cache."""
    host = alpha.primary_domain
    with in_site(alpha):
        board = helpers.board()
        url = board.url
    shared = warm(Client(), host, url)
    assert b"csrfmiddlewaretoken" not in shared.content
    tokens = []
    for _ in range(2):
        browser = Client(enforce_csrf_checks=True)
        for _ in range(3):
            form = browser.get(f"{url}write/", HTTP_HOST=host)
            assert form["X-Page-Cache"] != "hit"
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.content).group(1)
        tokens.append(token)
        data = {"subject": "有效的留言", "content": "内容", "contact": "a@example.com"}
        assert browser.post(f"{url}write/", data, HTTP_HOST=host).status_code == 403
        data["csrfmiddlewaretoken"] = token.decode()
        assert "已提交" in browser.post(f"{url}write/", data, HTTP_HOST=host).content.decode()
    assert tokens[0] != tokens[1]


def test_posts_never_enter_the_library_or_search(alpha, in_site, committed):
    from federation.library.services import item_for_page

    host = alpha.primary_domain
    with in_site(alpha), committed():
        board = helpers.board()
        url = board.url
    write(Client(), host, url, subject="独一无二的待审标题", content="独一无二的待审内容")
    with in_site(alpha), committed():
        approve(board.posts.get())
        board.save_revision().publish()
    item = item_for_page(alpha, board)
    assert item is not None and "有事请留言" in item.text
    assert "独一无二" not in item.text and "独一无二" not in item.summary
    found = Client().get("/search/", {"q": "独一无二的待审标题"}, HTTP_HOST=host).content.decode()
    assert url not in found


def test_another_site_never_sees_the_posts_and_moderation_is_audited(alpha, beta, in_site):
    with in_site(alpha):
        board = helpers.board()
        url = board.url
    write(Client(), alpha.primary_domain, url, subject="甲区的留言")
    assert "甲区的留言" in admin_client(alpha).get("/admin/interaction/posts/").content.decode()
    assert "甲区的留言" not in admin_client(beta).get("/admin/interaction/posts/").content.decode()
    with in_site(alpha):
        post = board.posts.get()
    assert admin_client(beta).get(f"/admin/interaction/posts/{post.pk}/").status_code == 404
    response = admin_client(alpha).post(
        f"/admin/interaction/posts/{post.pk}/",
        {"decision": "reject", "reply": "", "replied_by": "", "reason": "广告"},
    )
    assert response.status_code == 302
    with schema_context("public"):
        event = AuditEvent.objects.filter(
            schema_name="alpha", event_type="interaction.reject"
        ).last()
    assert event is not None and event.message == "广告"


def test_a_visitor_without_the_moderation_right_is_refused(alpha):
    from tests.factories import make_user

    make_user(alpha, "plain_editor_board", role="编辑")
    client = Client(HTTP_HOST=alpha.primary_domain)
    with schema_context(alpha.schema_name):
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.get(username="plain_editor_board"))
    assert client.get("/admin/interaction/posts/").status_code in (302, 403)


def test_sensitive_words_from_the_sites_dictionary_are_shown_to_moderators(alpha, beta, in_site):
    from security.screening.models import Kind, ScreeningTerm, Severity

    with in_site(alpha):
        ScreeningTerm.objects.create(
            kind=Kind.SENSITIVE, term="代开发票", severity=Severity.SERIOUS
        )
        board = helpers.board()
        url = board.url
    with in_site(beta):
        other = helpers.board()
        other_url = other.url
    # Full-width and Traditional forms are folded by the matcher.
    write(Client(), alpha.primary_domain, url, content="本店代開發票，电话见下")
    write(Client(), beta.primary_domain, other_url, content="本店代开发票")
    with in_site(alpha):
        assert "敏感词：代開發票" in board.posts.get().screen_hits
    with in_site(beta):  # alpha's own dictionary is alpha's only
        assert not any("敏感词" in hit for hit in other.posts.get().screen_hits)
    html = admin_client(alpha).get("/admin/interaction/posts/").content.decode()
    assert "敏感词：代開發票" in html


def test_the_writers_personal_data_is_removed_on_request(alpha, in_site):
    with in_site(alpha):
        board = helpers.board()
        url = board.url
    write(Client(), alpha.primary_domain, url, author_name="王小明", contact="13712345678")
    with in_site(alpha):
        post = board.posts.get()
    admin_client(alpha).post(f"/admin/interaction/posts/{post.pk}/", {"erase": "1"})
    with in_site(alpha):
        post.refresh_from_db()
    assert (post.author_name, post.contact, post.contact_key, post.address_key) == ("", "", "", "")
    html = admin_client(alpha).get(f"/admin/interaction/posts/{post.pk}/").content.decode()
    assert "13712345678" not in html and "王小明" not in html
    with schema_context("public"):
        assert AuditEvent.objects.filter(
            schema_name="alpha", event_type="interaction.erase"
        ).exists()
