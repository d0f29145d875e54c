"""What a lesson file may name: the actions "Show me" performs, the checks a task asks for, the
widgets a step may outline, and the fields a step may set or test. No Qt here.

The lesson panel (gui/lessons/) implements exactly these names; engine/lessons.py refuses any
other. Each argument has a type ("str", "int", "float", "bool", or a tuple of allowed words),
and "?" after a name makes it optional. Numbers of layers and stages count from 1, as the window
shows them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .activations import HIDDEN_ACTIVATIONS
from .bugs import BUGS
from .feedback import FEEDBACK_MODES
from .initializers import INITIALIZERS
from .optimizers import OPTIMIZERS
from .presets import preset_names

MODES = ("playground", "lab")


@dataclass(frozen=True)
class Arg:
    name: str
    kind: object  # "str" | "int" | "float" | "bool" | tuple of allowed words
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class Entry:
    name: str
    args: tuple[Arg, ...]
    help: str
    at_least_one_of: tuple[str, ...] = ()  # e.g. a loss check needs below= or above=


def _args(*specs: tuple) -> tuple[Arg, ...]:
    out = []
    for name, kind, *rest in specs:
        optional = name.endswith("?")
        out.append(Arg(name.rstrip("?"), kind, not optional, rest[0] if rest else ""))
    return tuple(out)


def _table(*entries: Entry) -> dict[str, Entry]:
    return {e.name: e for e in entries}


# Settings a step may set (action set_field) or test (check option_set): the editor's and the
# graph lab's fields, by the spec's names. Each maps to the type its value must have.
FIELDS: dict[str, object] = {
    "optimizer": tuple(OPTIMIZERS),            # the Optimiser combo
    "learning_rate": "float",                  # the Learning rate field
    "momentum": "float",                       # the Momentum field
    "batch_size": "int",                       # the Batch size field
    "initializer": tuple(INITIALIZERS),        # the Initialiser combo
    "activation": tuple(HIDDEN_ACTIVATIONS),   # every hidden layer's activation at once
    "feedback": FEEDBACK_MODES,                # the gradient signal: backprop or fa
    "seed": "int",                             # the data and weights' seed
    "float32": "bool",                         # Use float32
    "lab_learning_rate": "float",              # the graph lab's learning rate
    "lab_numeric_check": "bool",               # the graph lab's Numeric check box
}

ACTIONS: dict[str, Entry] = _table(
    Entry("load_preset", _args(("name", tuple(preset_names()))),
          "switch to the playground and load a preset (Presets menu)"),
    Entry("load_lab", _args(("expression", "str", "lines separated by ';' or newlines"),
                            ("values", "str", "NAME=VALUE pairs separated by commas"),
                            ("params?", "str", "inputs Gradient step learns, comma-separated; "
                                               "default all but x and y")),
          "switch to the graph lab, put the expression and values in its editor, tick the "
          "learned inputs, apply"),
    Entry("lab_stage", _args(("stage", "int")),
          "the graph lab's stepper at stage N (1-based)"),
    Entry("lab_step", _args(("steps?", "int", "1 when left out")),
          "press the graph lab's Gradient step button N times"),
    Entry("open_stepper", _args(("stage?", "int", "1 when left out")),
          "open the step-through on the current network at stage N (1-based)"),
    Entry("select_weight", _args(("layer", "int"), ("row", "int"), ("column", "int")),
          "select the weight W[row, column] of a layer in the network graph (1-based)"),
    Entry("set_field", _args(("field", tuple(FIELDS)), ("value", "any")),
          "set one field of the editor or the lab (value typed as FIELDS says)"),
    Entry("train", _args(("steps", "int")),
          "train that many mini-batch steps (as pressing Step N times)"),
    Entry("reset", _args(), "reset the network to its initial weights (Reset)"),
    Entry("open_check", _args(), "open the Check gradients panel and run the check"),
    Entry("inject_bug", _args(("name", (*BUGS, "none")),
                              ("hidden?", "bool", "the banner and menu do not say which")),
          "inject a backprop bug from the Inject a bug menu ('none' removes it)"),
    Entry("compare_torch", _args(), "run the PyTorch comparison in the check panel"),
)

CHECKS: dict[str, Entry] = _table(
    Entry("training_loss", _args(("below?", "float"), ("above?", "float")),
          "the latest training loss is below / above a value", ("below", "above")),
    Entry("accuracy", _args(("at_least", "float", "a fraction, 0 to 1")),
          "the training accuracy is at least this fraction"),
    Entry("steps_trained", _args(("at_least", "int")),
          "the network has been trained at least this many steps"),
    Entry("lab_value", _args(("name", "str"), ("equals?", "float"), ("tol?", "float", "1e-6"),
                             ("below?", "float")),
          "a named node (or input) of the lab's graph has this value, or is below one",
          ("equals", "below")),
    Entry("lab_gradient", _args(("name", "str"), ("equals", "float"), ("tol?", "float", "1e-6")),
          "the lab's gradient of the output with respect to a named input"),
    Entry("answer", _args(("equals", "float"), ("digits", "int", "decimal places")),
          "the number typed in the lesson panel is this one to N decimal places, rounded or "
          "cut (engine.lessons.answer_matches)"),
    Entry("stage_reached", _args(("stage", "int")),
          "the step-through is open at stage N or later (1-based)"),
    Entry("check_result", _args(("passed", "bool")),
          "the latest gradient check passed (or failed)"),
    Entry("bug_found", _args(("bug", tuple(BUGS))),
          "the student named this bug in the lesson panel's 'Which bug?' choice"),
    Entry("grad_norm_ratio", _args(("upper", "int"), ("lower", "int"),
                                   ("at_least?", "float"), ("at_most?", "float")),
          "‖∂L/∂W‖ of layer `upper` divided by that of layer `lower` (latest step)",
          ("at_least", "at_most")),
    Entry("alignment_angle", _args(("layer", "int"), ("below", "float", "degrees")),
          "feedback alignment: the layer's angle to the true gradient is below this"),
    Entry("option_set", _args(("field", tuple(FIELDS)), ("value", "any")),
          "a field of the editor or the lab has this value"),
    Entry("torch_result", _args(("agrees", "bool")),
          "the latest PyTorch comparison agreed (or disagreed) with this app's gradients"),
)

# Widgets a step may outline: name -> what it is in the window today (main window attribute).
WIDGETS: dict[str, str] = {
    "preset_menu": "the Presets menu (window.preset_menu)",
    "network_graph": "the network graph (window.graph)",
    "loss_plot": "the loss plot (window.loss_plot)",
    "grad_norm_plot": "the per-layer gradient-norm plot (window.grad_plot)",
    "alignment_plot": "the feedback-alignment angle plot (window.alignment_plot)",
    "boundary_view": "the decision-boundary view (window.boundary)",
    "layer_list": "the editor's hidden layers and activations (editor.layer_list)",
    "initializer_field": "the Initialiser combo (editor.init_combo)",
    "optimizer_field": "the Optimiser combo (editor.optimizer_combo)",
    "learning_rate_field": "the Learning rate field (editor.lr_spin)",
    "momentum_field": "the Momentum field (editor.momentum_spin)",
    "seed_field": "the Seed field (editor.seed_spin)",
    "feedback_field": "the gradient-signal combo (editor.feedback_combo)",
    "training_toolbar": "Play / Step / Reset / Step through (window.toolbar)",
    "stepper_panel": "the step-through panel (window.stepper.dock)",
    "check_panel": "the Check gradients panel (window.checking.dock)",
    "bug_menu": "the Inject a bug menu (window.checking.bug_menu)",
    "lab_editor": "the graph lab's expression editor (lab.controls.editor)",
    "lab_inputs": "the graph lab's input values and gradients (lab.controls.table)",
    "lab_graph": "the graph lab's op graph (lab.view)",
    "lab_step_button": "the graph lab's Gradient step button (lab.controls.step_button)",
    "lab_stepper": "the graph lab's forward/backward stepper (lab.stepper)",
}


def describe() -> list[str]:
    """The registry as text lines (for the format's documentation and `lessons --registry`)."""
    lines = []
    for title, table in (("actions (show:)", ACTIONS), ("checks (task:)", CHECKS)):
        lines.append(title)
        for e in table.values():
            args = " ".join(f"{a.name}{'' if a.required else '?'}=" +
                            (a.kind if isinstance(a.kind, str) else "|".join(a.kind))
                            for a in e.args)
            lines.append(f"  {e.name} {args}".rstrip() + f"  — {e.help}")
    lines.append("widgets (highlight:)")
    lines += [f"  {name}  — {what}" for name, what in WIDGETS.items()]
    lines.append("fields (set_field / option_set)")
    lines += [f"  {name}={kind if isinstance(kind, str) else '|'.join(kind)}"
              for name, kind in FIELDS.items()]
    return lines
