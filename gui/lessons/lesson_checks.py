"""A lesson task's check, by its registry name: a function (window, args) -> bool reading only
main-thread state (the latest snapshot, the lab's graph, the step-through, the check panel's
last run, the lesson panel's own answer box). And the widgets a step may outline, by name."""

from __future__ import annotations

import math

from engine.lessons import answer_matches


def _stats(window):
    return window.latest_stats


def training_loss(window, args) -> bool:
    stats = _stats(window)
    if stats is None or stats.step == 0 or not math.isfinite(stats.train_loss):
        return False
    below, above = args.get("below"), args.get("above")
    return ((below is None or stats.train_loss < below)
            and (above is None or stats.train_loss > above))


def accuracy(window, args) -> bool:
    stats = _stats(window)
    return (stats is not None and stats.step > 0 and stats.accuracy is not None
            and stats.accuracy >= args["at_least"] - 1e-12)


def steps_trained(window, args) -> bool:
    stats = _stats(window)
    return stats is not None and stats.step >= args["at_least"]


def _lab_node(window, name):
    graph = window.lab.graph
    if graph is None:
        return None
    return graph.named.get(name) or graph.inputs.get(name)


def lab_value(window, args) -> bool:
    node = _lab_node(window, args["name"])
    if node is None:
        return False
    if args.get("below") is not None and not node.value < args["below"]:
        return False
    if args.get("equals") is not None:
        return abs(node.value - args["equals"]) <= args.get("tol", 1e-6)
    return True


def lab_gradient(window, args) -> bool:
    graph = window.lab.graph
    node = None if graph is None else graph.inputs.get(args["name"])
    return node is not None and abs(node.grad - args["equals"]) <= args.get("tol", 1e-6)


def answer(window, args) -> bool:
    typed = window.lessons.panel.typed_answer()
    return typed is not None and answer_matches(typed, args["equals"], args["digits"])


def stage_reached(window, args) -> bool:
    stepper = window.stepper
    return (stepper.active and stepper.trace is not None
            and stepper.panel.current_index + 1 >= args["stage"])


def check_result(window, args) -> bool:
    run = window.checking.run
    if run is None or run.generation != window.generation:
        return False
    statuses = [r.status() for r in run.results]
    passed = "failed" not in statuses and "passed" in statuses
    return passed == args["passed"]


def bug_found(window, args) -> bool:
    return window.lessons.panel.chosen_bug() == args["bug"]


def grad_norm_ratio(window, args) -> bool:
    stats = _stats(window)
    if stats is None or stats.step == 0:
        return False
    norms = stats.grad_norms
    upper, lower = args["upper"] - 1, args["lower"] - 1
    if not (0 <= upper < len(norms) and 0 <= lower < len(norms)) or norms[lower] <= 0:
        return False
    ratio = float(norms[upper] / norms[lower])
    return ((args.get("at_least") is None or ratio >= args["at_least"])
            and (args.get("at_most") is None or ratio <= args["at_most"]))


def alignment_angle(window, args) -> bool:
    stats = _stats(window)
    if stats is None or stats.alignment is None:
        return False
    k = args["layer"] - 1
    return 0 <= k < len(stats.alignment) and stats.alignment[k] < args["below"]


def field_value(window, field: str):
    """A field's value as the window has it now (the spec training, or the lab's widgets)."""
    spec, lab = window.spec, window.lab.controls
    if field == "lab_learning_rate":
        return lab.lr_spin.value()
    if field == "lab_numeric_check":
        return lab.check_box.isChecked()
    if field == "float32":
        return spec.dtype == "float32"
    if field == "activation":
        acts = set(spec.activations)
        return acts.pop() if len(acts) == 1 else None
    return getattr(spec, field)


def option_set(window, args) -> bool:
    now, wanted = field_value(window, args["field"]), args["value"]
    if isinstance(now, float) or isinstance(wanted, float):
        try:
            return math.isclose(float(now), float(wanted), rel_tol=1e-9)
        except (TypeError, ValueError):
            return False
    return str(now).lower() == str(wanted).lower()


def torch_result(window, args) -> bool:
    run = window.checking.run
    if run is None or run.comparison is None or run.generation != window.generation:
        return False
    c = run.comparison
    agrees = c.max_relative_difference < 1e-7 and c.loss_relative_difference < 1e-7
    return agrees == args["agrees"]


CHECKS = {f.__name__: f for f in (
    training_loss, accuracy, steps_trained, lab_value, lab_gradient, answer, stage_reached,
    check_result, bug_found, grad_norm_ratio, alignment_angle, option_set, torch_result)}


def holds(window, check) -> bool:
    """Whether a lesson task's check is met now; never raises (a check is read on a timer)."""
    try:
        return bool(CHECKS[check.name](window, dict(check.args)))
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return False


WIDGETS = {
    "preset_menu": lambda w: w.menuBar(),
    "network_graph": lambda w: w.graph,
    "loss_plot": lambda w: w.loss_plot,
    "grad_norm_plot": lambda w: w.grad_plot,
    "alignment_plot": lambda w: w.alignment_plot,
    "boundary_view": lambda w: w.boundary,
    "layer_list": lambda w: w.editor.layer_list,
    "initializer_field": lambda w: w.editor.init_combo,
    "optimizer_field": lambda w: w.editor.optimizer_combo,
    "learning_rate_field": lambda w: w.editor.lr_spin,
    "momentum_field": lambda w: w.editor.momentum_spin,
    "seed_field": lambda w: w.editor.seed_spin,
    "feedback_field": lambda w: w.editor.feedback_combo,
    "training_toolbar": lambda w: w.toolbar,
    "stepper_panel": lambda w: w.stepper.dock,
    "check_panel": lambda w: w.checking.dock,
    "bug_menu": lambda w: w.menuBar(),
    "lab_editor": lambda w: w.lab.controls.editor,
    "lab_inputs": lambda w: w.lab.controls.table,
    "lab_graph": lambda w: w.lab.view,
    "lab_step_button": lambda w: w.lab.controls.step_button,
    "lab_stepper": lambda w: w.lab.stepper,
}

# A menu is outlined by its title in the menu bar, not the whole bar.
MENU_TITLES = {
    "preset_menu": lambda w: w.preset_menu.menuAction(),
    "bug_menu": lambda w: w.train_menu.menuAction(),  # Train > Inject a bug
}
