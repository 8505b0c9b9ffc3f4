"""Cases for tests: a kind of their own, and files of real types."""

import io
import uuid
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from federation.casework.services import open_case, register_kind

KIND = "test_application"
LETTER = "test_letter"
register_kind(KIND, "测试申请", "TS")
register_kind(
    LETTER,
    "测试来信",
    "TL",
    actions=["accept", "refuse", "answer", "route", "return_routing", "extend", "complete"],
)

APPLICANT = {
    "name": "张秀英",
    "id_number": "150302198804051234",
    "phone": "13904731234",
    "email": "zhangxy@example.com",
}


def pdf(name="材料.pdf", size=0) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body + b"0" * size, content_type="application/pdf")


def docx(name="申请表.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def open_test_case(lead, sites=(), kind=KIND, days=5, **extra):
    values = dict(
        lead_site=lead,
        sites=sites,
        title="测试事项申请",
        subject_key="test:item",
        subject_title="测试事项",
        subject_url="/wsbs/test/",
        applicant=dict(APPLICANT),
        content={"reason": "因工作需要申请办理"},
        client_token=uuid.uuid4().hex,
        deadline_working_days=days,
    )
    values.update(extra)
    return open_case(kind, **values)
