"""What of a page is checked: its title, SEO title and search description, every text field
of its own page type (body, summary, metadata such as 文号 or 发布机构), and the extractable
text of the documents it links to or attaches (PDF, DOCX, TXT).

Each part is (key, label, plain text); a finding's offsets refer to that plain text.
"""

import io
import logging
import re
import zipfile

from django.core.cache import cache
from django.db import models
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.rich_text import get_text_for_indexing

log = logging.getLogger(__name__)

BASE_FIELDS = [("title", "标题"), ("seo_title", "SEO 标题"), ("search_description", "搜索描述")]
MAX_DOCUMENT_BYTES = 30 * 1024 * 1024
MAX_DOCUMENT_CHARS = 500_000
_SKIPPED_FIELD_TYPES = (models.SlugField, models.URLField, models.EmailField)
_PAGE_FIELDS = {field.name for field in Page._meta.concrete_fields}


def page_fields(page) -> list[tuple[str, str, str]]:
    """The texts of `page` (a specific instance: the version to check)."""
    parts = [(name, label, getattr(page, name, "") or "") for name, label in BASE_FIELDS]
    documents = []
    for field in type(page)._meta.concrete_fields:
        if field.name in _PAGE_FIELDS or field.choices:
            continue
        value = field.value_from_object(page)
        label = str(field.verbose_name)
        if isinstance(field, StreamField):
            text = "\n".join(str(s) for s in field.get_searchable_content(value) if s)
            documents += _referenced_documents(field, value)
        elif isinstance(field, RichTextField):
            text = get_text_for_indexing(value or "")
            documents += _referenced_documents(field, value)
        elif isinstance(field, models.CharField | models.TextField) and not isinstance(
            field, _SKIPPED_FIELD_TYPES
        ):
            text = value or ""
        elif isinstance(field, models.ForeignKey) and _is_document_model(field.related_model):
            if value:
                documents.append(value)
            continue
        else:
            continue
        parts.append((field.name, label, text))
    parts += document_parts(documents)
    return parts


def _is_document_model(model) -> bool:
    from wagtail.documents import get_document_model

    return model is not None and issubclass(model, get_document_model())


def _referenced_documents(field, value) -> list:
    ids = []
    try:
        for model, object_id, _, _ in field.extract_references(value):
            if _is_document_model(model):
                ids.append(object_id)
    except Exception:  # a malformed stream still gets its text checked
        log.exception("could not list the documents of %s", field)
    return ids


def document_parts(ids) -> list[tuple[str, str, str]]:
    from wagtail.documents import get_document_model

    wanted = []
    for value in ids:
        try:
            wanted.append(int(value))
        except (TypeError, ValueError):
            continue
    parts = []
    for document in get_document_model().objects.filter(pk__in=set(wanted)).order_by("pk"):
        parts.append(
            (f"document:{document.pk}", f"附件《{document.title}》", document_text(document))
        )
    return parts


def document_text(document) -> str:
    """The document's text, extracted once per file content (the cache key carries the schema
    through the tenant key function, and the file hash)."""
    key = f"screening:doctext:{document.pk}:{document.file_hash or ''}"
    found = cache.get(key)
    if found is not None:
        return found
    text = ""
    try:
        if (document.file_size or 0) <= MAX_DOCUMENT_BYTES:
            with document.file.open("rb") as handle:
                text = extract_text(handle.read(), document.file_extension)
    except Exception:
        log.exception("could not read document %s", document.pk)
    text = text[:MAX_DOCUMENT_CHARS]
    cache.set(key, text, 24 * 3600)
    return text


def extract_text(data: bytes, extension: str) -> str:
    extension = (extension or "").lower().lstrip(".")
    if extension == "pdf":
        return _pdf_text(data)
    if extension == "docx":
        return _docx_text(data)
    if extension in ("txt", "csv", "md"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    return ""


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    texts, size = [], 0
    for page in reader.pages:
        text = page.extract_text() or ""
        texts.append(text)
        size += len(text)
        if size > MAX_DOCUMENT_CHARS:
            break
    return "\n".join(texts)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_text(data: bytes) -> str:
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("word/document.xml")
        if info.file_size > MAX_DOCUMENT_BYTES:  # a zip bomb is not a document
            return ""
        xml = archive.read(info)
    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    paragraphs = []
    for paragraph in root.iter(f"{_W}p"):
        paragraphs.append("".join(node.text or "" for node in paragraph.iter(f"{_W}t")))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(paragraphs))
