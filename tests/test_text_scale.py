"""Presentation mode's scale reaches text Qt's font inheritance does not: the step-through's
formulas (rich text with fixed sizes) and the panels' titles."""

import re

import pytest
from PySide6.QtWidgets import QApplication

from gui.common.text_scale import KEYWORDS, scaled_markup, title_font
from tests.test_main_window import make_window


def test_scaled_markup_multiplies_points_and_keywords(qapp):
    base = QApplication.font().pointSizeF()
    html = ("<div style='font-size:11pt'><span style='font-size:large; color:red'>a</span>"
            "<span style='font-size: x-small'>b</span><span style='font-size:small'>c</span>"
            "</div>")
    out = scaled_markup(html, 2.0)
    sizes = [float(v) for v in re.findall(r"font-size:([\d.]+)pt", out)]
    assert sizes == pytest.approx([22.0, base * 2.4, base * 1.4, base * 1.6], rel=1e-2)
    assert "color:red" in out and "large" not in out
    assert scaled_markup(html, 1.0) == html  # normal size: the markup untouched
    assert set(KEYWORDS) >= {"small", "large", "x-large"}


def test_title_font_is_a_quarter_above_the_text(qapp):
    base = QApplication.font().pointSizeF()
    assert title_font().pointSizeF() == pytest.approx(base * 1.25)
    assert title_font(2.0).pointSizeF() == pytest.approx(base * 2.5) and title_font().bold()


def test_the_step_through_formulas_grow_in_presentation_mode(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    w.open_stepper()
    qtbot.waitUntil(lambda: w.stepper.trace is not None)
    panel = w.stepper.panel
    panel.go_to(2)

    def largest_point_size():
        return max(float(v) for v in re.findall(r"font-size:([\d.]+)pt",
                                                panel.browser.toHtml()))

    normal, title = largest_point_size(), panel.title.font().pointSizeF()
    w.presentation_action.setChecked(True)
    scale = w.presentation.scale
    assert scale > 1
    assert largest_point_size() == pytest.approx(normal * scale, rel=0.02)
    assert panel.title.font().pointSizeF() == pytest.approx(title * scale)
    w.presentation_action.setChecked(False)
    assert largest_point_size() == pytest.approx(normal)
    assert panel.title.font().pointSizeF() == pytest.approx(title)
