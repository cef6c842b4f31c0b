"""Settings files in TOML: a lender's own, or the one packaged in ``arrears.data``.

One way to read them, so that every such file is refused alike: a file that
cannot be read names itself and why; one that is not TOML names the line.

>>> data, source = read_toml(None, "decisioning.toml", "policy file")
>>> source, data["version"]
('decisioning.toml', 1)
>>> read_toml("/nowhere.toml", "decisioning.toml", "policy file")
Traceback (most recent call last):
...
arrears.kernel.errors.InvalidInput: /nowhere.toml: cannot read the policy file (No such file or directory); check the path
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from arrears.kernel.errors import InvalidInput

__all__ = ["read_toml"]


def read_toml(
    path: str | Path | None,
    packaged: str,
    what: str,
    error: type[InvalidInput] = InvalidInput,
) -> tuple[dict[str, Any], str]:
    """The parsed file at ``path`` (the packaged ``packaged`` when None) and its
    source name for messages; ``what`` names the kind of file in refusals."""
    if path is None:
        source = packaged
        text = resources.files("arrears.data").joinpath(packaged).read_text(encoding="utf-8")
    else:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise error(
                f"{source}: cannot read the {what} ({exc.strerror})", hint="check the path"
            ) from None
    try:
        return tomllib.loads(text), source
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{source}: the {what} is not valid TOML: {exc}", hint="fix it there") from None
