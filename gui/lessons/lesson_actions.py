"""What "Show me" does, by registry action name: each a function (window, args) that performs
the step's action through the window's own widgets and methods, as a student would."""

from __future__ import annotations

import dataclasses

from engine.lab import parse
from engine.lab_cli import parse_values
from gui.playground.layer_list import select_data

PLAYGROUND, LAB = 0, 1


def _playground(window) -> None:
    if window.modes.currentIndex() != PLAYGROUND:
        window.modes.setCurrentIndex(PLAYGROUND)


def load_preset(window, args) -> None:
    _playground(window)
    window.stepper.cancel()
    window.load_preset(args["name"])


def load_lab(window, args) -> None:
    text = "\n".join(p.strip() for p in args["expression"].split(";"))
    program = parse(text)
    values = parse_values(args["values"])
    params = args.get("params")
    learned = ([p.strip() for p in params.split(",") if p.strip()] if params is not None
               else [n for n in program.inputs if n not in ("x", "y")])
    window.modes.setCurrentIndex(LAB)
    controls = window.lab.controls
    controls.editor.setPlainText(text)
    controls.table.setRowCount(0)  # the lesson's values and learned marks, not old ones
    controls.show_inputs(list(program.inputs), values, learned)
    window.lab.apply()


def lab_stage(window, args) -> None:
    window.modes.setCurrentIndex(LAB)
    window.lab.stepper.go_to(args["stage"] - 1)


def lab_step(window, args) -> None:
    window.modes.setCurrentIndex(LAB)
    for _ in range(args.get("steps", 1)):
        window.lab.controls.step_button.click()


def open_stepper(window, args) -> None:
    _playground(window)
    window.open_stepper()
    window.lessons.pending_stage = args.get("stage", 1) - 1  # applied once the trace is in
    window.lessons.apply_pending_stage()


def select_weight(window, args) -> None:
    _playground(window)
    layer, i, j = args["layer"], args["row"] - 1, args["column"] - 1
    window.graph.set_selected_edge(layer, i, j)
    window.graph.sigEdgeClicked.emit(layer, i, j)


def set_field(window, args) -> None:
    field, value = args["field"], args["value"]
    lab = window.lab.controls
    if field == "lab_learning_rate":
        lab.lr_spin.setValue(float(value))
        return
    if field == "lab_numeric_check":
        lab.check_box.setChecked(_bool(value))
        return
    _playground(window)
    window.stepper.cancel()  # the editor is locked while stepping
    editor = window.editor
    combos = {"optimizer": editor.optimizer_combo, "initializer": editor.init_combo,
              "feedback": editor.feedback_combo}
    spins = {"learning_rate": editor.lr_spin, "momentum": editor.momentum_spin,
             "batch_size": editor.batch_spin, "seed": editor.seed_spin}
    if field in combos:
        select_data(combos[field], str(value))
    elif field in spins:
        spin = spins[field]
        spin.setValue(type(spin.value())(value))
    elif field == "float32":
        editor.float32_check.setChecked(_bool(value))
    elif field == "activation":  # every hidden layer at once: one rebuild, one undo entry
        spec = window.spec
        window.apply_spec(dataclasses.replace(spec, activations=[str(value)] * len(spec.hidden)),
                          f"every hidden layer {value}")
    else:
        raise ValueError(f"unknown field {field!r}")


def _bool(value) -> bool:
    return value if isinstance(value, bool) else str(value).lower() == "true"


def train(window, args) -> None:
    _playground(window)
    window.stepper.cancel()
    window.sigStep.emit(int(args["steps"]))


def reset(window, args) -> None:
    _playground(window)
    window.stepper.cancel()
    window.reset()


def open_check(window, args) -> None:
    _playground(window)
    window.checking.open()


def inject_bug(window, args) -> None:
    _playground(window)
    name = args["name"]
    checking = window.checking
    checking.choose_bug(None if name == "none" else name, hidden=bool(args.get("hidden")))


def compare_torch(window, args) -> None:
    _playground(window)
    if not window.checking.dock.isVisible():
        window.checking.open()
    window.checking.compare()


ACTIONS = {f.__name__: f for f in (
    load_preset, load_lab, lab_stage, lab_step, open_stepper, select_weight, set_field, train,
    reset, open_check, inject_bug, compare_torch)}


def perform(window, action) -> None:
    ACTIONS[action.name](window, dict(action.args))
