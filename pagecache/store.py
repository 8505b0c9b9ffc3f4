"""Keys and entries of the page cache, in the `pages` cache alias.

Keys carry the schema explicitly instead of relying on `django_tenants.cache.make_key`:
the lookup runs before the tenant is chosen (that is what makes a hit cost no query), and
purges run from whatever schema the caller is in (a syndication task in `public`).

Invalidation is by generation tokens, never by enumerating keys:
- `pc:all`                 the platform generation: a new token empties every site (a
                           city-wide broadcast is on every page of every site);
- `pc:s:<schema>`          the site generation; a new token empties the whole site;
- `pc:p:<schema>:<path>`   the path generation; a new token empties every variant
                           (host, scheme, language, query) of that one path.
A variant's key contains all three tokens as they were read *before* the page was rendered,
so a render that overlaps a purge is stored under the old token and never served: no
stale page survives a purge however the requests interleave. A missing token (evicted,
or never set) is replaced by a fresh random one, never by a constant, for the same reason;
a path's first token is created only when a page is stored there, so looking up random
URLs writes nothing.
"""

import hashlib
import secrets
from dataclasses import dataclass

from django.core.cache import caches

ALIAS = "pages"


def backend():
    return caches[ALIAS]


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


GLOBAL_GENERATION_KEY = "pc:all"


def site_generation_key(schema: str) -> str:
    return f"pc:s:{schema}"


def path_generation_key(schema: str, path: str) -> str:
    return f"pc:p:{schema}:{_digest(path)}"


def host_key(hostname: str) -> str:
    return f"pc:h:{_digest(hostname)}"


def new_token() -> str:
    return secrets.token_hex(6)


@dataclass(frozen=True)
class Variant:
    """What decides the bytes of an anonymous page, besides the page itself."""

    scheme: str
    hostname: str
    path: str
    language: str
    query: str


def tokens(schema: str, path: str) -> tuple[str, str, str | None]:
    """(platform token, site token, path token or None), in one round trip.

    The platform and site tokens are created when missing (one per site: bounded). The
    path token is not: a lookup of a path nobody stored (a random URL) must leave nothing
    behind; it is claimed only when a page is stored (`claim_path_token`).
    """
    cache = backend()
    site_key, path_key = site_generation_key(schema), path_generation_key(schema, path)
    found = cache.get_many([GLOBAL_GENERATION_KEY, site_key, path_key])
    created = []
    for key in (GLOBAL_GENERATION_KEY, site_key):
        token = found.get(key)
        if token is None:
            cache.add(key, new_token(), timeout=None)
            token = cache.get(key) or new_token()
        created.append(token)
    return created[0], created[1], found.get(path_key)


def claim_path_token(schema: str, path: str) -> str | None:
    """A first token for a path that had none when its request began, or None if one
    appeared meanwhile (a purge, or another worker storing): then this render may be
    older than that purge and must not be stored."""
    token = new_token()
    return token if backend().add(path_generation_key(schema, path), token, timeout=None) else None


def entry_key(
    schema: str, global_token: str, site_token: str, path_token: str, variant: Variant
) -> str:
    return f"pc:v:{schema}:" + _digest(
        global_token,
        site_token,
        path_token,
        variant.scheme,
        variant.hostname,
        variant.path,
        variant.language,
        variant.query,
    )


def bump_all() -> None:
    backend().set(GLOBAL_GENERATION_KEY, new_token(), timeout=None)


def bump_site(schema: str) -> None:
    backend().set(site_generation_key(schema), new_token(), timeout=None)


def bump_paths(schema: str, paths) -> None:
    backend().set_many({path_generation_key(schema, p): new_token() for p in paths}, timeout=None)


def remember_host(hostname: str, schema: str) -> None:
    backend().set(host_key(hostname), schema, timeout=3600)


def forget_host(hostname: str) -> None:
    backend().delete(host_key(hostname))


def schema_for_host(hostname: str) -> str | None:
    return backend().get(host_key(hostname))
