"""The test processes never list the folder the deployment tests collect static files into."""

from django.conf import settings

from config.settings import base


def test_the_tests_static_root_is_their_own_and_nothing_is_collected_there():
    assert settings.STATIC_ROOT != base.STATIC_ROOT  # var/static: collectstatic writes there
    assert list(settings.STATIC_ROOT.iterdir()) == []
    assert settings.WHITENOISE_USE_FINDERS  # the apps' files are served all the same


def test_an_apps_static_file_is_served_to_a_test_client(client):
    response = client.get("/static/wagtailadmin/js/core.js", HTTP_HOST="alpha.localhost")
    assert response.status_code == 200
