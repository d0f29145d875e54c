"""Before the first window on Linux: the system libraries Qt's X11 platform plugin (xcb)
loads. Without them Qt aborts with "Could not load the Qt platform plugin xcb" and names none
of them (on a minimal system it was libxcb-icccm4 and libxcb-keysyms1), so say which, and the
one apt line that installs them. No Qt here: it runs before Qt is imported."""

from __future__ import annotations

import ctypes
import os
import sys

# The libraries and their Debian/Ubuntu packages: what PySide6's libqxcb.so and libQt6Gui
# link against beyond glibc (read with ldd).
XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1", "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4", "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0", "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1", "libGL.so.1": "libgl1", "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}
APT_LINE = "sudo apt-get install " + " ".join(sorted(set(XCB_LIBRARIES.values())))


def _loadable(soname: str) -> bool:
    """dlopen, as Qt will: a few milliseconds, where find_library runs ldconfig each time."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def uses_xcb(environ=os.environ, platform: str = sys.platform) -> bool:
    """True when Qt will pick the X11 plugin: Linux, no other platform asked for, no Wayland."""
    chosen = environ.get("QT_QPA_PLATFORM", "")
    if not platform.startswith("linux") or (chosen and not chosen.startswith("xcb")):
        return False
    return chosen.startswith("xcb") or not environ.get("WAYLAND_DISPLAY")


def missing_libraries(loadable=_loadable) -> list[str]:
    return [name for name in XCB_LIBRARIES if not loadable(name)]


def platform_problem(environ=os.environ, loadable=_loadable) -> str:
    """One line saying what to install, or "" when the window can open."""
    if not uses_xcb(environ):
        return ""
    missing = missing_libraries(loadable)
    if not missing:
        return ""
    packages = " ".join(XCB_LIBRARIES[m] for m in missing)
    return (f"the window needs system libraries that are missing ({', '.join(missing)}); on "
            f"Debian or Ubuntu: sudo apt-get install {packages}")
