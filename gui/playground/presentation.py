"""Presentation mode (View menu, F11): the playground made readable from the back of a room.

Large text throughout, at a scale the teacher changes with Ctrl++ / Ctrl+- (remembered in the
settings); the sidebar collapsed to the settings a lesson changes; the training and test scores
large above the decision boundary. Leaving puts back exactly what was there: the window's own
font, the hidden rows, the sidebar's width and the splitters.

The custom-painted views (node graph, plots, boundary) use fixed point sizes, so the scale is
handed to each one that has a set_text_scale(scale) method (1.0 = normal).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import QDialog, QDockWidget, QFormLayout, QGroupBox

from gui.common.side_dock import place_side_dock

SCALE_KEY = "presentation/text_scale"
DEFAULT_SCALE = 1.5
SCALES = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)  # Larger / Smaller text walk this ladder
VIEWS = ("graph", "loss_plot", "grad_plot", "alignment_plot", "boundary")
# Toolbar buttons that drop their words (icon and tooltip stay) when the larger text would
# push the rest off a narrow window, the least needed first.
SHED_WORDS = ("step_through", "regenerate", "reset", "epoch")
SIDEBAR_MIN_WIDTH = 240  # px: below this it scrolls sideways rather than squeeze further
PLOTS_SHARE, PLOTS_MIN_HEIGHT = 0.25, 150  # the plots' part of the height: the output's is more
# A larger scale is shown only while the pictures keep these heights (px); below, text that
# large would leave the room nothing to look at, and the next size down is shown instead.
MIN_PICTURE, MIN_GRAPH = 190, 170  # the decision boundary's plot, the node graph's canvas


def read_scale(window) -> float:
    """The remembered scale; a value that is not a number in SCALES' range is dropped (with a
    note for the status bar, as for every other setting) and the default used."""
    settings = window.settings
    try:
        value = settings.value(SCALE_KEY)
    except Exception:  # a value Qt cannot even decode
        value = None
    if value is None and not settings.contains(SCALE_KEY):
        return DEFAULT_SCALE
    try:
        scale = float(value)
    except (TypeError, ValueError):
        scale = math.nan
    if not SCALES[0] <= scale <= SCALES[-1]:  # NaN fails this too
        settings.remove(SCALE_KEY)
        window.remembered.notes.append((SCALE_KEY, f"not a text scale ({value!r})"))
        return DEFAULT_SCALE
    return scale


class Presentation:
    def __init__(self, window):
        self.window = window
        self.scale = read_scale(window)
        self.active = False
        self.shown_scale = 1.0  # the scale shown: self.scale, or less where it does not fit
        self._saved = None  # what entering changed, to put back on leaving
        self._resized = _ResizeWatch(self)

    # -- the scale ------------------------------------------------------------------------------
    def set_scale(self, scale: float) -> None:
        self.scale = min(max(float(scale), SCALES[0]), SCALES[-1])
        self.window.settings.setValue(SCALE_KEY, self.scale)
        if self.active:
            self._show_scale()
        self._say_scale()

    def _say_scale(self) -> None:
        message = f"Text size: {self.scale:g}×"
        if self.active and self.shown_scale < self.scale:
            message += f" does not fit this window: showing {self.shown_scale:g}×"
        self.window.statusBar().showMessage(message, 5000)

    def step_scale(self, direction: int) -> None:
        """One notch larger (+1) or smaller (-1) on the ladder, from the size shown (which is
        less than the one chosen where that does not fit)."""
        now = self.shown_scale if self.active else self.scale
        if direction > 0:
            target = next((s for s in SCALES if s > now + 1e-9), SCALES[-1])
        else:
            target = next((s for s in reversed(SCALES) if s < now - 1e-9), SCALES[0])
        self.set_scale(target)

    # -- the mode -------------------------------------------------------------------------------
    def set_active(self, on: bool) -> None:
        if on == self.active:
            return
        w = self.window
        if on:
            self._saved = {
                "font": _own_font(w),
                "base": QFont(w.font()),  # what the scale multiplies
                "view_fonts": [(v, _own_font(v)) for v in _views(w)],
                "sidebar_width": w.sidebar.minimumWidth(),
                "sidebar_scroll": w.sidebar.horizontalScrollBarPolicy(),
                "rows": _collapse_sidebar(w.editor),
                "plots_min": w.splitter.widget(1).minimumHeight(),
                "groups": [(g, g.isHidden()) for g in _spare_groups(w.editor)],
                "splitters": (w.splitter.sizes(), w.top_splitter.sizes()),
                "size": QSize(w.size()),  # larger text must not leave the window larger
                "docks": {},  # dock: (own font, floating, width, minimum size); floating, it
                #               inherits no font
                "dialogs": {},  # dialog: its own font (a window of its own inherits none)
            }
            for group, _hidden in self._saved["groups"]:
                group.hide()
            self.active = True
            w.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded)
            w.splitter.widget(1).setMinimumHeight(PLOTS_MIN_HEIGHT)
            w.metrics.show_stats(w.latest_stats)
            w.metrics.show()  # first: the scale that fits depends on its height too
            self._show_scale()
            if self.shown_scale < self.scale:
                self._say_scale()
            w.installEventFilter(self._resized)
        else:
            saved, self._saved = self._saved, None
            self.active = False
            w.removeEventFilter(self._resized)
            w.metrics.hide()
            docks = {dock: state[0] for dock, state in saved["docks"].items()}
            for widget, font in ((w, saved["font"]), *saved["view_fonts"], *docks.items(),
                                 *saved["dialogs"].items()):
                widget.setFont(font if font is not None else QFont())  # QFont(): inherit again
            for view in (*_views(w), *(dock.widget() for dock in docks)):
                _text_scale(view, 1.0)
            for dock, (_font, floating, _width, minimum) in saved["docks"].items():
                dock.setFloating(floating)  # one floated for the larger text docks again,
                dock.setMinimumSize(minimum)  # without the minimum its layout set as a window
            self.fit_toolbar()
            for (layout, row), visible in saved["rows"]:
                layout.setRowVisible(row, visible)
            for group, hidden in saved["groups"]:
                group.setHidden(hidden)
            w.sidebar.setMinimumWidth(saved["sidebar_width"])
            w.splitter.widget(1).setMinimumHeight(saved["plots_min"])
            w.sidebar.setHorizontalScrollBarPolicy(saved["sidebar_scroll"])
            _restore_sizes(w, saved)
            # Again once the layouts have taken in the normal text: until then the panes'
            # minimum sizes are still the larger ones, and would bend the sizes set now.
            QTimer.singleShot(0, w, lambda: _restore_sizes(w, saved))
        w.presentation_action.setChecked(on)
        for act in self.size_actions:
            act.setEnabled(on)

    def _show_scale(self) -> None:
        """The chosen scale, or the largest one below it at which the window keeps its size:
        larger text must never push its bottom or its buttons off the screen."""
        w = self.window
        limit = QSize(w.size())
        for scale in (self.scale, *(s for s in reversed(SCALES) if s < self.scale)):
            self._apply_scale(scale)
            # The layouts take in the new text sizes in posted events, which post more for
            # the layouts around them: run them now.
            for _ in range(4):
                QCoreApplication.sendPostedEvents(None, QEvent.LayoutRequest)
            if self._fits(limit):
                break
        self.shown_scale = scale
        if w.size() != limit and not (w.isMaximized() or w.isFullScreen()):
            w.resize(limit)  # a rejected larger scale may have grown it meanwhile

    def _fits(self, limit: QSize) -> bool:
        """The window keeps its size and the pictures stay large enough to see (a window
        not shown yet has no size to keep: any scale fits it)."""
        w = self.window
        if not w.isVisible():
            return True
        need = w.minimumSizeHint()
        if need.width() > limit.width() or need.height() > limit.height():
            return False
        picture = w.boundary.plot_widget
        return ((not picture.isVisible() or picture.height() >= MIN_PICTURE)
                and w.graph.canvas.height() >= MIN_GRAPH)

    def _apply_scale(self, scale: float) -> None:
        w, saved = self.window, self._saved
        # Each size laid out afresh from the sizes before the mode, so that a size looks the
        # same however it was reached (Ctrl++ then Ctrl+- gives back the same layout).
        vertical, top = saved["splitters"]
        if sum(top) > 0:  # 0: not laid out yet (a window not shown)
            w.top_splitter.setSizes(top)
        total = sum(vertical)
        if total > 2 * PLOTS_MIN_HEIGHT:
            plots = max(PLOTS_MIN_HEIGHT, round(total * PLOTS_SHARE))
            w.splitter.setSizes([total - plots, plots])
        base = saved["base"]
        font = QFont(base)
        font.setPointSizeF(base.pointSizeF() * scale)
        w.setFont(font)
        # The views' own controls (Colour by, Log y, Show test data…) keep the normal size, or
        # their rows alone would be wider than a 1024-pixel window; their text, which the room
        # reads, grows by set_text_scale.
        normal = QFont(base)
        normal.setPointSizeF(base.pointSizeF())  # explicit, or it would inherit the scaled one
        for view, own in saved["view_fonts"]:
            view.setFont(own if own is not None else normal)
            _text_scale(view, scale)
        for dock in w.findChildren(QDockWidget):
            self.scale_dock(dock, scale)
        for dialog in w.findChildren(QDialog):
            self.scale_dialog(dialog)
        self.fit_sidebar()
        self.fit_toolbar()

    def scale_dock(self, dock, scale: float | None = None) -> None:
        """A side panel (step-through, gradient check) at the window's scaled font: floating,
        it is a window of its own, to which fonts do not pass down."""
        w, docks = self.window, self._saved["docks"]
        if dock not in docks:
            docks[dock] = (_own_font(dock), dock.isFloating(), dock.width(),
                           QSize(dock.minimumSize()))
        dock.setFont(w.font())
        _text_scale(dock.widget(), scale or self.shown_scale)  # its formulas' fixed sizes
        if dock.isVisible() and not dock.isFloating():
            # Placed again for its larger text, as when it opens: wider where the views beside
            # it leave the room, else floating over the window's right part (side_dock).
            place_side_dock(w, dock, docks[dock][2], w.height())

    def scale_dialog(self, dialog) -> None:
        """A dialog (the confusion matrix, an error box) at the window's scaled font."""
        dialogs = self._saved["dialogs"]
        if dialog not in dialogs:
            dialogs[dialog] = _own_font(dialog)
        dialog.setFont(self.window.font())

    def fit_sidebar(self) -> None:
        """The sidebar as wide as its larger text wants where the window has the room; in a
        narrow window it gives way (scrolling sideways) before the graph and the boundary."""
        w = self.window
        content, top = w.sidebar.widget(), w.top_splitter
        content.layout().activate()
        w.sidebar.setMinimumWidth(SIDEBAR_MIN_WIDTH)  # a minimum would widen the window
        wanted = content.sizeHint().width() + 24  # its scroll bar
        sizes = top.sizes()
        if sum(sizes) > 0 and sizes[0] < wanted:  # widen it, from the graph and the boundary
            rest = sum(sizes) - wanted
            share = sum(sizes[1:]) or 1
            top.setSizes([wanted, *(round(rest * s / share) for s in sizes[1:])])

    def fit_toolbar(self) -> None:
        """All the toolbar's words when they fit the window, else fewer (SHED_WORDS)."""
        w = self.window
        bar = w.toolbar
        buttons = [bar.widgetForAction(getattr(w.actions, name)) for name in SHED_WORDS]
        for button in buttons:
            button.setToolButtonStyle(bar.toolButtonStyle())
        if not self.active:
            return
        for button in buttons:
            bar.layout().invalidate()
            if bar.sizeHint().width() <= w.width():
                break
            button.setToolButtonStyle(Qt.ToolButtonIconOnly)


class _ResizeWatch(QObject):
    """In presentation mode: refits the toolbar when the window is resized, and scales the
    side panels made while it lasts (they are built when first opened)."""

    def __init__(self, control):
        super().__init__()
        self.control = control

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind == QEvent.Resize:
            self.control.fit_toolbar()
        elif kind == QEvent.ChildPolished and isinstance(event.child(), QDockWidget):
            self.control.scale_dock(event.child())  # a panel opened in presentation mode
        elif kind == QEvent.ChildPolished and isinstance(event.child(), QDialog):
            self.control.scale_dialog(event.child())
        return False


def _restore_sizes(window, saved) -> None:
    """The window's size, its splitters and its docked panels' widths from before."""
    if not (window.isMaximized() or window.isFullScreen()):
        window.resize(saved["size"])
    for splitter, sizes in zip((window.splitter, window.top_splitter), saved["splitters"]):
        if sum(sizes) > 0:
            splitter.setSizes(sizes)
    for dock, (_font, floating, width, _minimum) in saved["docks"].items():
        if not floating and not dock.isFloating() and dock.isVisible():
            window.resizeDocks([dock], [width], Qt.Horizontal)


def _own_font(widget) -> QFont | None:
    """The font set on the widget itself, None when it inherits its parent's."""
    return QFont(widget.font()) if widget.testAttribute(Qt.WA_SetFont) else None


def _views(window) -> list:
    return [getattr(window, name) for name in VIEWS]


def _text_scale(view, scale: float) -> None:
    """The painted text of a view (set_text_scale, 1.0 = normal), where it has the method."""
    method = getattr(view, "set_text_scale", None)
    if method is not None:
        method(scale)


# The sidebar in presentation mode keeps what a lesson changes most (optimiser, learning rate,
# batch size; the dataset, its noise and split; the architecture) and hides the rest, which
# leaving the mode brings back (regularisation's row alone made the sidebar 50 px wider).
HIDDEN_FIELDS = ("reg_combo", "clip_spin", "float32_check", "feedback_combo", "classes_spin",
                 "samples_spin", "seed_spin", "csv_button")


def _collapse_sidebar(editor) -> list:
    """Hide the rows of HIDDEN_FIELDS; returns ((layout, row), was visible) to restore."""
    changed = []
    for name in HIDDEN_FIELDS:
        found = _form_row(getattr(editor, name, None))
        if found is None:
            continue
        layout, row = found
        rows = [row]
        if name == "feedback_combo" and row > 0:  # its label sits on a row of its own above
            rows.insert(0, row - 1)
        for r in rows:
            changed.append(((layout, r), layout.isRowVisible(r)))
            layout.setRowVisible(r, False)
    return changed


def _form_row(widget):
    """(the QFormLayout, row) holding widget, alone or in a row's box of widgets."""
    parent = widget.parentWidget() if widget is not None else None
    form = parent.layout() if parent is not None else None
    if not isinstance(form, QFormLayout):
        return None
    for row in range(form.rowCount()):
        for role in (QFormLayout.FieldRole, QFormLayout.SpanningRole):
            item = form.itemAt(row, role)
            if item is not None and (item.widget() is widget or (
                    item.layout() is not None and item.layout().indexOf(widget) >= 0)):
                return form, row
    return None


def _spare_groups(editor) -> list:
    """Whole sidebar groups a projector can do without (the input features)."""
    checks = getattr(editor, "feature_checks", {})
    group = next(iter(checks.values())).parentWidget() if checks else None
    return [group] if isinstance(group, QGroupBox) else []


def install_presentation(window) -> Presentation:
    """View > Presentation mode (F11) and the text-size actions, enabled in that mode."""
    control = Presentation(window)
    menu = window.view_menu
    menu.addSeparator()
    act = QAction("&Presentation mode", window)
    act.setCheckable(True)
    act.setShortcut(QKeySequence("F11"))
    act.setStatusTip("Large text, a shorter sidebar and the scores large above the output, "
                     "for a projector (F11)")
    act.toggled.connect(control.set_active)
    menu.addAction(act)
    window.presentation_action = act
    control.size_actions = []
    for text, keys, tip, slot in (
            ("&Larger text", ("Ctrl++", "Ctrl+="), "Larger text in presentation mode",
             lambda: control.step_scale(+1)),
            ("&Smaller text", ("Ctrl+-",), "Smaller text in presentation mode",
             lambda: control.step_scale(-1)),
            ("&Default text size", ("Ctrl+0",),
             f"Presentation mode's default text size ({DEFAULT_SCALE:g}×)",
             lambda: control.set_scale(DEFAULT_SCALE))):
        size = QAction(text, window)
        size.setShortcuts([QKeySequence(k) for k in keys])
        size.setStatusTip(f"{tip} ({', '.join(keys)})")
        size.setEnabled(False)
        size.triggered.connect(slot)
        menu.addAction(size)
        control.size_actions.append(size)
    return control
