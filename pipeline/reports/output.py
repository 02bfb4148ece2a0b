"""Writing what people open (reports, exports): all or nothing, under the final name only when complete.

A file is written to a temporary file in the destination's folder and renamed over the destination when it is
whole: a full disk or a killed process leaves the previous file (or none) and no partial file behind; the
rename replaces a symbolic link at the destination by the new file and never writes through it into the file
it points to (issue 28: ``export -o`` through a link overwrote the link's target). Failures are one
:class:`OutputError` naming the path.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


class OutputError(OSError):
    """An output that could not be written; the message names the path and why."""


def write_atomically(path: Path | str, write: Callable[[Path], None]) -> Path:
    """Call ``write(temporary_path)`` and move the finished file to ``path``. Returns ``path``."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
        os.close(handle)
    except OSError as err:
        raise OutputError(f"{path}: cannot write in {path.parent} ({err.strerror or err})") from None
    temporary = Path(name)
    try:
        write(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as err:
        temporary.unlink(missing_ok=True)
        raise OutputError(
            f"{path}: not written ({err.strerror or err}); the previous file, if any, is unchanged"
        ) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def write_text_atomically(path: Path | str, text: str) -> Path:
    """``text`` (UTF-8) to ``path``, all or nothing (:func:`write_atomically`)."""
    return write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))
