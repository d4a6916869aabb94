"""A digest of this release's code and templates, for the cache's key prefix.

Cached fragments are keyed on the data they show (an ``updated_at``, a content version, a digest of the
figures), not on the template that drew them: after a deploy that changes a template, or Python a template
calls, the old HTML would stay in Redis under the same key for up to a day. Prefixing every cache key with
this digest makes each release read only what it wrote itself. Sign-in rate limits, also in the cache,
start again from zero at a deploy. Reading the files costs about 20 ms at start-up.
"""

import hashlib
from pathlib import Path

#: What a release's pages are made from.
SUFFIXES = frozenset({".py", ".html", ".txt"})
#: Packages that never draw a page.
SKIPPED = frozenset({"tests", "bench", "scripts"})


def code_version(base_dir: Path) -> str:
    """12 hex digits of the project's packages and ``templates/``: their paths and contents, in a fixed order."""
    digest = hashlib.sha256()
    for folder in sorted(base_dir.iterdir()):
        if folder.name in SKIPPED or not ((folder / "__init__.py").is_file() or folder.name == "templates"):
            continue
        for path in sorted(folder.rglob("*")):
            if path.suffix in SUFFIXES and path.is_file():
                digest.update(str(path.relative_to(base_dir)).encode())
                digest.update(b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
