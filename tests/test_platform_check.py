"""The first launch on a minimal Linux: the missing X11 libraries are named, with the apt line
that installs them, instead of Qt's "could not load the Qt platform plugin xcb" alone."""

import subprocess
import sys

from gui.common.platform_check import (
    APT_LINE,
    XCB_LIBRARIES,
    missing_libraries,
    platform_problem,
    uses_xcb,
)
from tests.window_helpers import ROOT


def test_missing_libraries_are_named_with_their_packages():
    absent = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    problem = platform_problem({"DISPLAY": ":0"}, loadable=lambda name: name not in absent)
    assert "libxcb-icccm.so.4" in problem and "libxcb-keysyms.so.1" in problem
    assert problem.endswith("sudo apt-get install libxcb-icccm4 libxcb-keysyms1")
    assert all(package in APT_LINE for package in XCB_LIBRARIES.values())


def test_nothing_is_said_when_all_load_or_another_platform_is_used():
    assert platform_problem({"DISPLAY": ":0"}, loadable=lambda name: True) == ""
    never = lambda name: False  # noqa: E731
    assert platform_problem({"QT_QPA_PLATFORM": "offscreen"}, loadable=never) == ""
    assert platform_problem({"WAYLAND_DISPLAY": "wayland-0"}, loadable=never) == ""
    assert uses_xcb({"QT_QPA_PLATFORM": "xcb"}) and not uses_xcb({}, platform="darwin")
    assert missing_libraries() == []  # this machine runs the window (under Xvfb)


def test_the_app_exits_with_one_line_before_qt_aborts(tmp_path):
    """A library made unloadable: main.py says what to install, exit 2, no Qt abort."""
    code = ("import ctypes, sys; real = ctypes.CDLL\n"
            "class Fake(real):\n"
            "    def __init__(self, name, *a, **k):\n"
            "        if name == 'libxcb-icccm.so.4': raise OSError(name)\n"
            "        real.__init__(self, name, *a, **k)\n"
            "ctypes.CDLL = Fake\n"
            f"sys.argv = ['main.py']; sys.path.insert(0, {str(ROOT)!r})\n"
            "import main; sys.exit(main.main())\n")
    env = {"PATH": "/usr/bin:/bin", "DISPLAY": ":99", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=60, cwd=ROOT)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: the window needs system libraries")
    assert "libxcb-icccm4" in result.stderr and len(result.stderr.splitlines()) == 1
