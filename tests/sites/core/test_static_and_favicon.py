"""Issue 13 item 14: `/static/../..` under `make run` is a 404, and every site has a favicon."""

from io import BytesIO

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import get_commands, load_command_class
from django.core.management.commands import runserver as django_runserver
from django.test import Client

from tests.clients import admin_client, site_client


@pytest.fixture
def runserver_handler(monkeypatch, settings):
    """`make run`'s handler, around a plain Django application: config.wsgi (what runserver
    loads) would start this test process's periodic runner, which then runs for every later
    test in the process and holds their advisory locks."""
    monkeypatch.setattr(django_runserver, "get_internal_wsgi_application", WSGIHandler)
    settings.DEBUG = True  # runserver serves static files only then
    command = load_command_class(get_commands()["runserver"], "runserver")
    return command.get_handler(use_static_handler=True, insecure_serving=False)


def _status(handler, path):
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "alpha.localhost",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "alpha.localhost",
        "wsgi.input": BytesIO(),
        "wsgi.url_scheme": "http",
    }
    statuses = []
    handler(environ, lambda status, headers: statuses.append(status))
    return statuses[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/static/../..", "/static/../../etc/passwd", "/static/core/../../.."]
)
def test_the_development_server_answers_404_to_a_path_out_of_static(runserver_handler, path):
    assert _status(runserver_handler, path).startswith("404")


@pytest.mark.django_db
def test_the_development_server_still_serves_static_files(runserver_handler):
    assert _status(runserver_handler, "/static/core/site.css").startswith("200")


def test_every_site_answers_favicon_ico(alpha, beta, portal):
    for website in (alpha, beta, portal):
        response = site_client(website).get("/favicon.ico")
        assert response.status_code == 200, website.schema_name
        assert response["Content-Type"] == "image/vnd.microsoft.icon"
        assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    console = Client(HTTP_HOST="console.localhost")
    assert console.get("/favicon.ico").status_code == 200


def test_pages_link_their_icon(alpha):
    home = site_client(alpha).get("/")
    assert home.status_code == 200
    assert 'rel="icon"' in home.content.decode()
    login = Client(HTTP_HOST=alpha.primary_domain).get("/admin/login/")
    assert 'rel="icon"' in login.content.decode()
    assert "wagtailadmin/images/favicon.ico" not in login.content.decode()
    dashboard = admin_client(alpha).get("/admin/")
    assert 'rel="icon" href="/static/core/favicon.ico"' in dashboard.content.decode()
