"""The checking tools in headless screenshots (main.py --screenshot --check/--bug/--compare):
put the window in the state asked for (gui.common.side_dock grabs it with its panels)."""

from __future__ import annotations


def show_checking(window, bug: str | None, check: bool, compare: bool) -> None:
    """For screenshots: inject `bug`, open the panel, compare with PyTorch; ValueError (one
    line) for an unknown or inapplicable bug, or torch missing."""
    from engine.bugs import BUGS

    link = window.checking
    if bug is not None:
        if bug not in BUGS:
            raise ValueError(f"unknown bug {bug!r}; choose from {', '.join(BUGS)}")
        if not link.choose_bug(bug):
            raise ValueError(window.statusBar().currentMessage())
    if check or compare:
        link.open()
    if compare:
        missing = link.torch_missing()
        if missing:
            raise ValueError(missing)
        link.compare()
