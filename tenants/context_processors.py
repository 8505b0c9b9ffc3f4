def website(request):
    """The registry entry of the site being served (legal name, ICP record, contacts…)."""
    return {"website": getattr(request, "tenant", None)}
