"""Applying online (issue 14, items 3 and 4; S3, S4): a form from the item's materials,
uploads checked, a failed upload keeps the rest, consent, one case for a double submit, the
number and query code on screen and by mail, one case addressed to every parallel department."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from federation.casework.models import Case
from federation.library.models import LibraryItem

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="材料.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def parallel_item(beta, alpha, publish_item):
    page = publish_item(
        beta,
        title="建设项目环境影响评价审批（并联）",
        materials=("申请书", "项目可行性研究报告"),
        parallel_sites=["alpha"],
        promised_limit_days=10,
    )
    return LibraryItem.objects.get(site=beta, page_id=page.pk)


def form_data(client, url, **overrides):
    html = client.get(url).content.decode()
    token = re.search(r'name="client_token" value="([0-9a-f]{32})"', html).group(1)
    data = {
        "name": "张三",
        "id_number": "150302199001011234",
        "phone": "0473-1234567",
        "email": "zhangsan@example.com",
        "note": "申请说明",
        "consent": "on",
        "client_token": token,
        "material_0": pdf("申请书.pdf"),
        "material_1": pdf("可研报告.pdf"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_form_is_built_from_the_materials(portal, parallel_item):
    html = (
        Client()
        .get(f"/wsbs/item/{parallel_item.pk}/apply/", HTTP_HOST=portal.primary_domain)
        .content.decode()
    )
    assert "申请书" in html and "项目可行性研究报告" in html and 'type="file"' in html
    assert "个人信息" in html and "并联审批" in html


def test_applying_opens_one_case_for_every_parallel_department(portal, parallel_item, alpha, beta):
    client = Client(HTTP_HOST=portal.primary_domain)
    url = f"/wsbs/item/{parallel_item.pk}/apply/"
    response = client.post(url, form_data(client, url))
    assert response.status_code == 200, response.content.decode()[:2000]
    html = response.content.decode()
    case = Case.objects.get(subject_key=parallel_item.item_key)
    assert case.number in html
    code = re.search(r'apply-receipt__code">([A-Z0-9]+)<', html).group(1)
    assert {(t.site.schema_name, t.role) for t in case.tasks.select_related("site")} == {
        ("beta", "lead"),
        ("alpha", "parallel"),
    }
    assert case.lead_site == beta and case.attachments.count() == 2
    assert case.applicant["name"] == "张三" and "consent" in case.content
    # the receipt by mail, with the number and the code
    sent = [m for m in mail.outbox if case.number in m.subject]
    assert sent and code in sent[0].body and sent[0].to == ["zhangsan@example.com"]
    # nothing personal reaches the library
    parallel_item.refresh_from_db()
    assert "张三" not in str(parallel_item.extra) and "150302" not in parallel_item.text


def test_a_double_submit_makes_one_case(portal, parallel_item):
    client = Client(HTTP_HOST=portal.primary_domain)
    url = f"/wsbs/item/{parallel_item.pk}/apply/"
    data = form_data(client, url)
    first = client.post(url, data)
    data.update(material_0=pdf("申请书.pdf"), material_1=pdf("可研报告.pdf"))
    second = client.post(url, data)
    assert first.status_code == second.status_code == 200
    assert Case.objects.filter(subject_key=parallel_item.item_key).count() == 1
    assert "未重复提交" in second.content.decode()


def test_a_failed_upload_keeps_the_rest_and_says_which_file_and_why(portal, parallel_item):
    client = Client(HTTP_HOST=portal.primary_domain)
    url = f"/wsbs/item/{parallel_item.pk}/apply/"
    fake = SimpleUploadedFile(
        "可研报告.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    data = form_data(client, url, material_1=fake)
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        "项目可行性研究报告" in html and "可研报告.pdf" in html and "不是可接受的文件类型" in html
    )
    assert 'value="张三"' in html and 'value="0473-1234567"' in html  # the text is kept
    assert "已上传“申请书.pdf”" in html  # the file that passed waits
    assert not Case.objects.filter(subject_key=parallel_item.item_key).exists()
    # only the failed file is chosen again
    data.pop("material_0")
    data["material_1"] = pdf("可研报告.pdf")
    response = client.post(url, data)
    assert response.status_code == 200, response.content.decode()[-3000:]
    case = Case.objects.get(subject_key=parallel_item.item_key)
    assert sorted(case.attachments.values_list("label", flat=True)) == [
        "申请书",
        "项目可行性研究报告",
    ]


def test_another_browser_cannot_use_the_waiting_files(portal, parallel_item):
    client = Client(HTTP_HOST=portal.primary_domain)
    url = f"/wsbs/item/{parallel_item.pk}/apply/"
    data = form_data(client, url, material_1=SimpleUploadedFile("x.pdf", b"nope"))
    client.post(url, data)
    stranger = Client(HTTP_HOST=portal.primary_domain)
    stranger.get(url)
    data.pop("material_0")
    data["material_1"] = pdf()
    response = stranger.post(url, data)
    assert response.status_code == 400 and "请上传“申请书”" in response.content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"consent": None}, "请阅读并勾选同意"),
        ({"id_number": "12"}, "证件号码格式不对"),
        ({"client_token": "../../etc"}, "表单已失效"),
        ({"material_0": SimpleUploadedFile("big.pdf", PDF + b"0" * 64)}, None),
    ],
)
def test_malformed_forms_are_refused_with_a_reason(
    portal, parallel_item, settings, change, message
):
    settings.CASEWORK_MAX_UPLOAD_SIZE = 64
    client = Client(HTTP_HOST=portal.primary_domain)
    url = f"/wsbs/item/{parallel_item.pk}/apply/"
    response = client.post(url, form_data(client, url, **change))
    assert response.status_code == 400
    assert (message or "过大") in response.content.decode()
    assert not Case.objects.filter(subject_key=parallel_item.item_key).exists()


def test_an_item_not_online_has_no_form_and_a_site_applies_only_to_its_own(
    portal, alpha, beta, publish_item
):
    page = publish_item(beta, online_level=2)
    item = LibraryItem.objects.get(site=beta, page_id=page.pk)
    html = Client().get(f"/wsbs/item/{item.pk}/apply/", HTTP_HOST=portal.primary_domain)
    assert "暂不支持在线申报" in html.content.decode() and b"client_token" not in html.content
    online = publish_item(beta, online_level=4)
    assert (
        Client().get(f"/wsbs/apply/{online.pk}/", HTTP_HOST=beta.primary_domain).status_code == 200
    )
    assert (
        Client().get(f"/wsbs/apply/{online.pk}/", HTTP_HOST=alpha.primary_domain).status_code == 404
    )


def test_held_uploads_of_abandoned_forms_are_swept(portal, parallel_item):
    import os
    import time

    from federation.onestop import apply

    client = Client(HTTP_HOST=portal.primary_domain)
    url = f"/wsbs/item/{parallel_item.pk}/apply/"
    data = form_data(client, url, material_1=SimpleUploadedFile("x.pdf", b"nope"))
    client.post(url, data)
    folder = apply._pending_dir(data["client_token"])
    assert folder.is_dir()
    assert apply.sweep_pending() == 0  # a form in progress is kept
    old = time.time() - apply.PENDING_MAX_AGE - 60
    os.utime(folder, (old, old))
    assert apply.sweep_pending() >= 1 and not folder.exists()
