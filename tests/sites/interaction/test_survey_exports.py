"""A big survey's XLSX export runs as a task into the site's own private folder: the admin
shows "preparing", then the link; another site can neither see nor download it."""

import io
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook

from sites.interaction.models import SurveyExport
from tests.clients import admin_client

from . import helpers
from .test_surveys import answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def export_root(settings, tmp_path):
    settings.INTERACTION_EXPORTS_ROOT = tmp_path / "exports"
    settings.SURVEY_XLSX_INLINE_MAX = 2  # three responses make a "big" survey here
    return settings.INTERACTION_EXPORTS_ROOT


def test_a_big_export_is_prepared_off_the_request_and_stays_in_its_site(
    alpha, beta, in_site, committed, export_root
):
    host = alpha.primary_domain
    with in_site(alpha):
        page = helpers.survey()
        url, data = page.url, answers(page, text='=HYPERLINK("http://evil")')
    for i in range(3):
        Client(REMOTE_ADDR=f"10.0.2.{i}").post(url, data, HTTP_HOST=host)
    admin = admin_client(alpha)
    xlsx = f"/admin/interaction/surveys/{page.pk}/xlsx/"
    # The request records the export and answers at once; the task has not run yet.
    with committed() as callbacks:
        response = admin.get(xlsx)
        assert response.status_code == 302
        status_url = response["Location"]
        with in_site(alpha):
            export = SurveyExport.objects.get(page_id=page.pk)
        assert export.status == "preparing" and export.responses == 3
        preparing = admin.get(status_url).content.decode()
        assert 'id="export-preparing"' in preparing and 'http-equiv="refresh"' in preparing
        # Asking again while it is prepared does not start a second build.
        assert admin.get(xlsx)["Location"] == status_url
    assert len(callbacks) == 1
    # The task ran after commit (in-process: no broker here) and wrote the site's file.
    with in_site(alpha):
        export.refresh_from_db()
    assert export.status == "ready" and export.size > 0
    path = Path(export_root) / "alpha" / "surveys" / export.path
    assert path.is_file()
    ready = admin.get(status_url).content.decode()
    assert 'id="export-download"' in ready
    assert (
        f"/exports/{export.pk}/download/"
        in admin.get(f"/admin/interaction/surveys/{page.pk}/").content.decode()
    )
    download = admin.get(f"{status_url}download/")
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    rows = list(workbook["答卷"].iter_rows(values_only=True))
    assert len(rows) == 4 and rows[1][2] == "18-60岁"
    assert rows[1][-1] == '\'=HYPERLINK("http://evil")'  # never a live formula
    # Another site's admin finds neither the export nor the file.
    other = admin_client(beta)
    assert other.get(status_url).status_code == 404
    assert other.get(f"{status_url}download/").status_code == 404
    assert not (Path(export_root) / "beta").exists()
    # The citizen's side never reaches the admin's file.
    assert Client().get(f"{status_url}download/", HTTP_HOST=host).status_code == 302


def test_a_small_export_is_still_built_inline(alpha, in_site, export_root):
    host = alpha.primary_domain
    with in_site(alpha):
        page = helpers.survey()
        url, data = page.url, answers(page)
    Client().post(url, data, HTTP_HOST=host)
    response = admin_client(alpha).get(f"/admin/interaction/surveys/{page.pk}/xlsx/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True)["答卷"]
    assert len(list(sheet.iter_rows(values_only=True))) == 2
    with in_site(alpha):
        assert not SurveyExport.objects.filter(page_id=page.pk).exists()


def test_a_failed_build_says_so_and_offers_to_try_again(
    alpha, in_site, committed, export_root, monkeypatch
):
    from sites.interaction import exports

    host = alpha.primary_domain
    with in_site(alpha):
        page = helpers.survey()
        url, data = page.url, answers(page)
    for i in range(3):
        Client(REMOTE_ADDR=f"10.0.3.{i}").post(url, data, HTTP_HOST=host)

    def disk_full(page, handle):
        handle.write(b"half")
        raise OSError("No space left on device")

    monkeypatch.setattr(exports, "write_xlsx", disk_full)
    admin = admin_client(alpha)
    with committed():
        status_url = admin.get(f"/admin/interaction/surveys/{page.pk}/xlsx/")["Location"]
    failed = admin.get(status_url).content.decode()
    assert "导出失败" in failed and "No space left on device" in failed and "重新导出" in failed
    assert list((Path(export_root) / "alpha" / "surveys").iterdir()) == []  # no half file
