"""`main.py --startup-report` (hidden, for benchmarks/startup_bench.py): print when the window
first painted, then quit.

One JSON line on stdout, times as Unix seconds (time.time(), so a parent process can subtract
the moment it launched this one):
  main         when main.py began running (after the interpreter's own start-up);
  first_paint  the main window's first paint event: the first frame begins;
  first_frame  the event loop's next turn: that frame is painted (every child paints in the
               same backing-store sync) and handed to the screen;
  complete     the end of the first frame that shows the decision boundary's heatmap (the
               worker computes its outputs; the same as first_frame when that frame had them);
  cpu_first_frame  CPU seconds the process (every thread) had used by first_frame: other load
               on the machine hardly changes it, where it delays the wall-clock times.
"""

from __future__ import annotations

import json
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer

TIMEOUT_MS = 30_000  # never hang a benchmark: report what is known and quit


class StartupReport(QObject):
    def __init__(self, app, window, main_started: float | None):
        super().__init__(window)
        self.app, self.window = app, window
        self.times = {"main": main_started, "first_paint": None, "first_frame": None,
                      "complete": None, "cpu_first_frame": None}
        self.viewport = window.boundary.plot_widget.viewport()
        window.installEventFilter(self)
        self.viewport.installEventFilter(self)
        QTimer.singleShot(TIMEOUT_MS, self.finish)

    def _heatmap_shown(self) -> bool:
        return self.window.boundary.image.image is not None

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint and self.window is not None:
            if obj is self.window and self.times["first_paint"] is None:
                self.times["first_paint"] = time.time()
                heatmap = self._heatmap_shown()
                QTimer.singleShot(0, lambda: self._frame_done(heatmap))
            elif (obj is self.viewport and self.times["first_frame"] is not None
                  and self._heatmap_shown()):
                QTimer.singleShot(0, lambda: self._frame_done(True))
        return False

    def _frame_done(self, heatmap: bool) -> None:
        now = time.time()
        if self.times["first_frame"] is None:
            self.times["first_frame"] = now
            self.times["cpu_first_frame"] = time.process_time()
        if heatmap and self.times["complete"] is None:
            self.times["complete"] = now
            self.finish()

    def finish(self) -> None:
        if self.window is None:
            return
        window, self.window = self.window, None
        window.removeEventFilter(self)
        self.viewport.removeEventFilter(self)
        sys.stdout.write(json.dumps({**self.times, "modules": len(sys.modules)}) + "\n")
        sys.stdout.flush()
        window.confirm_close = False  # nothing was trained: quit without asking
        window.close()
        self.app.quit()
