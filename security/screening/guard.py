"""Placeholder replaced below."""


def pre_save_guard(sender, instance, raw=False, **kwargs):
    return None
