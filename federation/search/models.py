"""The PostgreSQL backend's index: one row per current library item, in the public schema.

A companion table rather than columns on LibraryItem, so `manage.py reindex` can build a new
table beside it and swap the two in one short transaction (search stays online), and so the
query touches one narrow table: filters, facets and ranking without joining the library.
Only current items have a row; withdrawing an item deletes it.
"""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models

TABLE = "federation_search_document"


class SearchDocument(models.Model):
    # No database-level foreign keys: the reindex swap replaces the whole table, and rows are
    # removed through the library's own code paths (and Django's cascade on site deletion).
    item = models.OneToOneField("library.LibraryItem", on_delete=models.CASCADE, primary_key=True,
                                db_constraint=False, related_name="search_document")
    site = models.ForeignKey("tenants.Website", on_delete=models.DO_NOTHING, db_constraint=False,
                             related_name="+")
    item_type = models.CharField(max_length=20)
    year = models.SmallIntegerField(null=True)
    published_at = models.DateTimeField(null=True)
    expires_at = models.DateTimeField(null=True)
    # Canonical 文号 and 索引号 (segment.identifier): typed exactly, they find their document.
    identifiers = ArrayField(models.CharField(max_length=120), default=list)
    # jieba terms with positions and weights (title A, summary B, body D), built by us.
    vector = SearchVectorField()

    class Meta:
        db_table = TABLE
        indexes = [
            GinIndex(fields=["vector"], name="search_doc_vector_gin"),
            GinIndex(fields=["identifiers"], name="search_doc_ident_gin"),
            models.Index(fields=["site", "-published_at"], name="search_doc_site_date_idx"),
        ]

    def __str__(self):
        return f"search document of library item {self.item_id}"
