"""Backprop Playground entry point.

No arguments (or window options such as --screenshot) open the window; the subcommands train,
trace, gradcheck, graph and export-torch run headlessly without importing Qt.
"""

from __future__ import annotations

import time

STARTED = time.time()  # read by --startup-report (gui/common/startup_report.py)

import sys  # noqa: E402

HEADLESS_COMMANDS = {"train", "trace", "gradcheck", "graph", "export-torch", "lessons"}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and (argv[0] in HEADLESS_COMMANDS or argv[0] in ("-h", "--help")):
        from engine.cli import run

        return run(argv)
    from gui.app import run_gui

    return run_gui(argv)


if __name__ == "__main__":
    sys.exit(main())
