"""错敏词 screening (Z2, I4): dictionaries as data, one matcher, findings, overrides.

Public API (importable from the sites layer and above):
    from security.screening.services import check_text, check_fields, serious, Finding
"""
