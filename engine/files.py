"""Reading and writing the app's files safely.

Reading refuses what is not a regular file (a named pipe would block forever), what is too big to
be a spec, session or data set, and text that is not UTF-8 (a UTF-8 byte-order mark is fine);
JSON nested too deeply for the parser is a one-line error, not a RecursionError. Writing goes to
a temporary file in the same folder which then replaces the target, so a failed write (a full
disk) leaves the old file byte-identical.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

MAX_FILE_BYTES = 512 * 1024 * 1024  # far above any session of 100,000 points


def one_line(text: str, limit: int = 60) -> str:
    """A user-supplied name or value made safe to quote in a one-line message."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def show_path(path: str | os.PathLike, limit: int = 60) -> str:
    """A file name safe to quote in a one-line message; a long path loses its start, not the
    file's own name."""
    text = " ".join(os.fspath(path).split())
    return text if len(text) <= limit else "…" + text[-(limit - 1):]


def show(value, limit: int = 40) -> str:
    """A value from a spec as the user wrote it in JSON (null, true, "text", [1, 2]), cut to
    one short line. Only the start of a long list or string is looked at, so showing a value
    with a million entries costs nothing."""
    if isinstance(value, str):
        value = value[:limit + 1]
    elif isinstance(value, (list, tuple)) and len(value) > limit:
        value = list(value[:limit])
    try:
        text = json.dumps(value, ensure_ascii=False, default=_plain)
    except (ValueError, RecursionError):  # an integer too long to print, or nesting too deep
        text = "a value too large to show"
    return one_line(text, limit)


def _plain(value):
    """NumPy scalars and arrays (from the window or a notebook) shown as plain numbers."""
    return value.tolist() if hasattr(value, "tolist") else repr(value)


def read_text(path: str | os.PathLike, what: str = "file") -> str:
    """The text of a regular UTF-8 file; ValueError with a one-line message otherwise."""
    name = show_path(path)
    try:
        info = os.stat(path)
    except OSError as e:
        raise ValueError(f"cannot read {what} {name!r}: {e.strerror or e}") from None
    except ValueError:  # e.g. a NUL byte in the name
        raise ValueError(f"cannot read {what} {name!r}: not a valid file name") from None
    if stat.S_ISDIR(info.st_mode):
        raise ValueError(f"cannot read {what} {name!r}: it is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"cannot read {what} {name!r}: not a regular file")
    if info.st_size > MAX_FILE_BYTES:
        raise ValueError(f"{what} {name!r} is too large ({info.st_size / 2**20:.0f} MB; "
                         f"at most {MAX_FILE_BYTES // 2**20} MB)")
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise ValueError(f"cannot read {what} {name!r}: {e.strerror or e}") from None
    try:
        return data.decode("utf-8-sig")  # tolerates a byte-order mark
    except UnicodeDecodeError:
        raise ValueError(f"{what} {name!r} is not a UTF-8 text file") from None


def parse_json(text: str, what: str = "file") -> object:
    """Parsed JSON; ValueError with a one-line message (position 1-based) otherwise."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{what} is not valid JSON: {e.msg} at line {e.lineno}, "
                         f"column {e.colno}") from None
    except RecursionError:
        raise ValueError(f"{what} is nested too deeply to be a spec or session") from None
    except ValueError:  # an integer literal too long to convert
        raise ValueError(f"{what} holds a number with too many digits") from None


def read_json(path: str | os.PathLike, what: str = "file") -> object:
    return parse_json(read_text(path, what), f"{what} {show_path(path)!r}")


def check_writable(path: str | os.PathLike) -> None:
    """ValueError (one line) unless path can take a new file: its folder exists, and it is
    not a folder, a device or a pipe (renaming a file over /dev/full would replace the device)."""
    name = show_path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise ValueError(f"cannot write {name!r}: its folder does not exist") from None
        return
    except (OSError, ValueError) as e:
        raise ValueError(f"cannot write {name!r}: {getattr(e, 'strerror', None) or e}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ValueError(f"cannot write {name!r}: it is a folder")
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"cannot write {name!r}: not a regular file")


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write text to path via a temporary file in the same folder, then rename over it.

    ValueError with a one-line message when the write fails; the old file is untouched.
    """
    check_writable(path)
    path = Path(path)
    name = show_path(path)
    data = text.encode("utf-8")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise ValueError(f"cannot write {name!r}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file private (0600): give it the old file's mode, or the usual one.
        os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode) if path.exists() else _default_mode())
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise ValueError(f"cannot write {name!r}: {e.strerror or e}") from None


def _read_umask() -> int:
    umask = os.umask(0)  # the only way to read it is to set it: done once, at import
    os.umask(umask)
    return umask


_UMASK = _read_umask()


def _default_mode() -> int:
    return 0o666 & ~_UMASK
