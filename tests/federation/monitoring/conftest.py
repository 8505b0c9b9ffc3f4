"""Fixtures of the monitoring tests: a committed site with links to check, and a real server."""

import zlib

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.db import connection
from django.test.testcases import LiveServerThread

from tenants import services
from tenants.models import Website
from tests.factories import PASSWORD, RESPONSIBILITY, make_article

from . import servers

LINKED_SCHEMA = "linkcheck"


@pytest.fixture(scope="module")
def outside():
    """A loopback server standing in for hosts outside the platform."""
    behaviour = servers.Behaviour()
    behaviour.pages[("*", "/robots.txt")] = (200, "User-agent: *\nDisallow: /private/\n")
    behaviour.pages[("*", "/ok")] = (200, "<p>fine</p>")
    server, url = servers.start(behaviour)
    behaviour.url = url
    yield behaviour
    server.shutdown()


@pytest.fixture(scope="module")
def linked_site(django_db_setup, django_db_blocker, outside):
    """A department site (committed: the server thread reads it) with two pages of links."""
    with django_db_blocker.unblock():
        website = Website.objects.filter(schema_name=LINKED_SCHEMA).first()
        if website is None:
            website = services.provision_site(
                kind="department",
                legal_name="乌海市链接检查局",
                short_name="链检局",
                domain=f"{LINKED_SCHEMA}.localhost",
                schema_name=LINKED_SCHEMA,
                webmaster_password=PASSWORD,
                site_code=f"15039{zlib.crc32(LINKED_SCHEMA.encode()) % 100000:05d}",
                **RESPONSIBILITY,
            ).website
            o = outside.url
            first = make_article(
                website,
                "第一篇",
                f'<a href="/no-such-page/">坏的站内链接</a> <a href="/documents/99999/gone.pdf">附件</a>'
                f' <a href="{o}/ok">外部</a> <a href="{o}/missing">外部坏链</a>'
                f' <a href="{o}/private/x">不许抓取</a> <a href="http://alpha.localhost/">甲区</a>',
                column="bmdt",
            )
            second = make_article(
                website, "第二篇", f'<a href="{o}/missing">外部坏链</a>', column="tzgg"
            )
            website.pages = {"first": first.url_path, "second": second.url_path}
        connection.set_schema_to_public()
    return website


@pytest.fixture(scope="module")
def platform_server(django_db_setup, django_db_blocker):
    """The platform itself on a real threaded server (the committed test database)."""
    django_db_blocker.unblock()
    thread = LiveServerThread("localhost", StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
    django_db_blocker.restore()
