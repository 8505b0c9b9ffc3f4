"""What the 繁體 conversion asks for (settings.TRADITIONAL_PROTECTED_TERMS)."""

from django.dispatch import Signal

from .models import ProtectedTerm

# Sent after the dictionary changes: the page cache drops every 繁體 copy (pagecache.signals).
protected_terms_changed = Signal()


def protected_terms() -> list[str]:
    """Every protected term (a public-schema table, on every site's search path)."""
    return list(ProtectedTerm.objects.values_list("term", flat=True))


def add_term(term: str, note: str = "", actor: str = "") -> ProtectedTerm:
    item = ProtectedTerm(term=term.strip(), note=note.strip(), created_by=actor)
    item.full_clean()
    item.save()
    protected_terms_changed.send(sender=ProtectedTerm)
    return item


def remove_term(pk: int) -> None:
    ProtectedTerm.objects.filter(pk=pk).delete()
    protected_terms_changed.send(sender=ProtectedTerm)
