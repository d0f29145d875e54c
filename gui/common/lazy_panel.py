"""A side panel and its dock built the first time either is asked for: the first frame does
not need them, and building them (and importing their modules) would slow the start."""

from __future__ import annotations


class LazyPanel:
    """Mixin: set self._panel = self._dock = None and define _build_panel(), which sets both."""

    @property
    def panel(self):
        """The panel (built now if it was not yet)."""
        if self._panel is None:
            self._build_panel()
        return self._panel

    @property
    def dock(self):
        if self._panel is None:
            self._build_panel()
        return self._dock

    def _build_panel(self) -> None:
        raise NotImplementedError
