"""Attachments' text is checked too: TXT, DOCX and PDF, linked from the body (an attachment
list or a link in a paragraph); the finding names the attachment."""

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.rich_text import RichText

from security.screening.content import extract_text, page_fields
from security.screening.guard import ContentScreeningBlocked, check_page
from sites.core.models import ArticlePage
from tests.factories import make_article

from .factories import WRONG_NAME, leader_dictionary

pytestmark = pytest.mark.django_db

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>第一段。</w:t></w:r></w:p>'
            f"<w:p><w:r><w:t>{text[:2]}</w:t></w:r><w:r><w:t>{text[2:]}</w:t></w:r></w:p>"
            "</w:body></w:document>",
        )
    return out.getvalue()


def pdf(text: str) -> bytes:
    """A one-page PDF whose page shows `text` (ASCII, Helvetica)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def test_text_is_extracted_from_each_format():
    assert "张建困出席" in extract_text(docx("张建困出席"), "docx")
    assert "Falsename" in extract_text(pdf("Falsename here"), "pdf")
    assert extract_text("张建困".encode("gb18030"), "txt") == "张建困"
    with pytest.raises(Exception):  # noqa: B017 (pypdf says what is wrong in its own words)
        extract_text(b"\x00\x01 not a pdf", "pdf")


def attach(name, data):
    document = get_document_model()(title=name)
    document.file.save(name, ContentFile(data), save=False)
    document.save()
    return document


def test_a_wrong_name_in_an_attachment_blocks_publishing(in_alpha):
    leader_dictionary()
    word = attach("讲话稿.docx", docx(f"{WRONG_NAME}同志讲话"))
    text = attach("说明.txt", "附：既使如此".encode())
    page = make_article(in_alpha, "附件检查", publish=False, live=False)
    page = ArticlePage.objects.get(pk=page.pk)
    page.body = [
        ("attachments", {"title": "附件", "documents": [word]}),
        ("paragraph", RichText(f'<p>见<a linktype="document" id="{text.pk}">说明</a></p>')),
    ]
    keys = [key for key, _, _ in page_fields(page)]
    assert f"document:{word.pk}" in keys and f"document:{text.pk}" in keys
    found = {(f.field_label, f.text) for f in check_page(page)}
    assert ("附件《讲话稿.docx》", WRONG_NAME) in found and ("附件《说明.txt》", "既使") in found
    with pytest.raises(ContentScreeningBlocked):
        page.save_revision().publish()
