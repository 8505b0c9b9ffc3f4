"""Issue 13 item 8: notifications by mail — SMTP from EMAIL_URL, otherwise kept per site on
disk and listed in that site's admin (邮件), never another site's."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import schema_context

from config.email import email_settings
from federation.syndication import offers
from security.roles import EDITOR, MUNICIPAL_CURATOR, REVIEWER, WEBMASTER
from sites.core import deadlines, mail
from tests.clients import admin_client, site_client
from tests.factories import make_user, unique
from tests.sites.disclosure.factories import make_document

pytestmark = pytest.mark.django_db


def test_email_url_configures_smtp(tmp_path):
    config = email_settings("smtp://jiyue%40gov:p%3Ass@mail.example.gov.cn:2525", tmp_path)
    assert config["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"]) == ("mail.example.gov.cn", 2525)
    assert (config["EMAIL_HOST_USER"], config["EMAIL_HOST_PASSWORD"]) == ("jiyue@gov", "p:ss")
    assert config["EMAIL_USE_TLS"] and not config["EMAIL_USE_SSL"]
    secure = email_settings("smtps://relay.gov.cn?from=noreply@wuhai.gov.cn", tmp_path)
    assert secure["EMAIL_USE_SSL"] and not secure["EMAIL_USE_TLS"] and secure["EMAIL_PORT"] == 465
    assert secure["DEFAULT_FROM_EMAIL"] == "noreply@wuhai.gov.cn"
    assert email_settings("smtp://relay:25?tls=0", tmp_path)["EMAIL_USE_TLS"] is False
    assert email_settings("", tmp_path)["EMAIL_BACKEND"] == "sites.core.mail.SiteMailBackend"
    with pytest.raises(ValueError):
        email_settings("http://mail.example.gov.cn", tmp_path)


@pytest.fixture
def mail_on_disk(tmp_path):
    with override_settings(EMAIL_BACKEND="sites.core.mail.SiteMailBackend", SITE_MAIL_DIR=tmp_path):
        yield tmp_path


def test_a_review_task_mails_the_reviewers_of_that_site_only(
    alpha, beta, mail_on_disk, django_capture_on_commit_callbacks
):
    editor = make_user(alpha, unique("ed"), EDITOR, email="editor@alpha.example.cn")
    make_user(alpha, unique("rv"), REVIEWER, email="reviewer@alpha.example.cn")
    with schema_context("alpha"), django_capture_on_commit_callbacks(execute=True):
        doc = make_document(publish=False, grade="general", title="关于报送邮件的通知")
        doc.save_revision(user=editor)
        doc.get_workflow().start(doc, editor)

    with schema_context("alpha"):
        [sent] = [m for m in mail.stored_mail("alpha") if "关于报送邮件的通知" in m.subject]
    assert "reviewer@alpha.example.cn" in sent.to
    assert not (mail_on_disk / "beta").exists()

    page = admin_client(alpha).get("/admin/mail/")
    assert page.status_code == 200
    assert "关于报送邮件的通知" in page.content.decode()
    detail = admin_client(alpha).get(f"/admin/mail/{sent.name}/")
    assert detail.status_code == 200 and "reviewer@alpha.example.cn" in detail.content.decode()

    # beta's webmaster sees none of alpha's mail, and cannot open it by name
    beta_admin = admin_client(beta)
    assert "关于报送邮件的通知" not in beta_admin.get("/admin/mail/").content.decode()
    assert beta_admin.get(f"/admin/mail/{sent.name}/").status_code == 404
    # an editor is not shown the list (Wagtail answers a refusal with a way back to the dashboard)
    refused = site_client(alpha, editor).get("/admin/mail/")
    assert refused.status_code == 302 and "关于报送邮件的通知" not in refused.content.decode()


def test_an_offer_mails_the_portals_curators(alpha, portal, publish, committed, mail_on_disk):
    make_user(portal, unique("cur"), MUNICIPAL_CURATOR, email="curator@portal.example.cn")
    title = unique("甲区报送测试")
    page = publish(alpha, title, "正文")
    with committed(), schema_context(alpha.schema_name):
        offers.offer_page(alpha, page)
    sent = [m for m in mail.stored_mail(portal.schema_name) if title in m.subject]
    assert len(sent) == 1
    assert "curator@portal.example.cn" in sent[0].to and "报送收件箱" in sent[0].body
    assert not any(title in m.subject for m in mail.stored_mail(alpha.schema_name))


def test_a_page_going_offline_soon_is_mailed_once(alpha, beta, mail_on_disk):
    make_user(alpha, unique("wm"), WEBMASTER, email="webmaster@alpha.example.cn")
    with schema_context(alpha.schema_name):
        soon = make_document(publish=True, title="三天内下线的通知")
        soon.expire_at = timezone.now() + datetime.timedelta(days=2)
        soon.save_revision().publish()
        later = make_document(publish=True, title="十天后下线的通知")
        later.expire_at = timezone.now() + datetime.timedelta(days=10)
        later.save_revision().publish()
        assert deadlines.mail_deadlines() == 1
        assert deadlines.mail_deadlines() == 0  # once
        [sent] = [m for m in mail.stored_mail("alpha") if "到期提醒" in m.subject]
        assert "三天内下线的通知" in sent.subject and "webmaster@alpha.example.cn" in sent.to
    with schema_context(beta.schema_name):
        assert deadlines.mail_deadlines() == 0
    assert not (mail_on_disk / "beta").exists()


def test_the_mail_list_shows_the_time_in_the_sites_time_zone(alpha, mail_on_disk):
    # Django dates mail in UTC with "-0000", which reads back naive: the list showed UTC.
    from django.core.mail import send_mail

    with schema_context("alpha"):
        send_mail("时间测试", "正文", None, ["webmaster@alpha.example.cn"])
        [sent] = [m for m in mail.stored_mail("alpha") if m.subject == "时间测试"]
    assert timezone.is_aware(sent.sent_at)
    beijing = timezone.localtime(sent.sent_at, timezone.get_default_timezone())
    assert abs(beijing - timezone.now()) < datetime.timedelta(minutes=1)
    listing = admin_client(alpha).get("/admin/mail/").content.decode()
    assert f"{beijing:%Y-%m-%d %H:%M}" in listing
