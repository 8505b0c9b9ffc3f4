"""Thin tasks: a call to services out."""

from config.celery import app

from . import deadlines


@app.task(name="casework.mail_deadlines")
def mail_deadlines():
    """Periodic, in the public schema (cases live there): mail before and after deadlines."""
    return deadlines.mail_deadlines()
