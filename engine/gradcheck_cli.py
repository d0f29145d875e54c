"""`python main.py gradcheck`: backprop's gradient against finite differences, tensor by tensor.

Per tensor: the relative difference, how many elements were checked and how many skipped (at a
ReLU kink), and passed / FAILED / not checked; then the overall verdict. --bug NAME injects one
of engine.bugs' classic mistakes first (--bug list names them). Exit code 1 when a tensor
fails; 2 (one line on stderr) for bad input, including a bug that does not apply.
"""

from __future__ import annotations

import argparse
import json
import math

from . import bugs
from .gradcheck import DEFAULT_THRESHOLD, check_data, gradcheck


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def add_gradcheck_options(p) -> None:
    p.add_argument("--max-elements", type=int, default=200,
                   help="check at most this many elements per parameter (sampled)")
    p.add_argument("--bug", metavar="NAME",
                   help="inject a classic backprop mistake first; --bug list names them")
    p.add_argument("--eps", type=_positive, default=None,
                   help="a plain central difference with this ε (default: auto, Richardson "
                        "extrapolation)")
    p.add_argument("--threshold", type=_positive, default=DEFAULT_THRESHOLD,
                   help=f"pass when the relative difference is below this ({DEFAULT_THRESHOLD:g})")
    p.add_argument("--sample", type=int, default=None, metavar="K",
                   help="check on training sample K (0-based) instead of the mini-batch")


def run_gradcheck(args, out, load_trainer) -> int:
    if args.bug == "list":
        return _list_bugs(args, out)
    if not (args.preset or args.config):
        raise ValueError("gradcheck needs --preset NAME or --config FILE (or --bug list)")
    if args.max_elements < 1:
        raise ValueError(f"--max-elements must be ≥ 1, got {args.max_elements}")
    trainer = load_trainer(args)
    network = trainer.network
    if args.bug is not None:
        reason = bugs.applicable(network, args.bug)
        if reason:
            raise ValueError(reason if args.bug not in bugs.BUGS
                             else f"bug {args.bug!r} does not apply here: {reason}")
        bugs.inject(network, args.bug)
    X, y, data = check_data(trainer, args.sample)
    results = gradcheck(network, X, y, eps=args.eps, max_elements=args.max_elements)
    statuses = [r.status(args.threshold) for r in results]
    verdict = ("FAILED" if "failed" in statuses else
               "passed" if "passed" in statuses else "not checked")
    notes = [n for n in (bugs.unseen_note(args.bug, len(X), results),
                         _feedback_note(trainer)) if n]
    if args.json:
        out.write(json.dumps({**_as_json(args, results, statuses, verdict, data),
                              "notes": notes}, allow_nan=False) + "\n")
    else:
        _write_text(args, out, results, statuses, verdict, data)
        out.writelines(f"note: {n}\n" for n in notes)
    return 1 if verdict == "FAILED" else 0


def _feedback_note(trainer) -> str:
    if getattr(trainer.spec, "feedback", "backprop") != "fa":
        return ""
    return ("feedback alignment is on: the hidden layers' updates come through fixed random "
            "matrices B, not the gradient, so they fail the check by design")


def _list_bugs(args, out) -> int:
    if args.json:
        out.write(json.dumps([{"name": b.name, "title": b.title, "description": b.description,
                               "effect": b.effect} for b in bugs.BUGS.values()]) + "\n")
        return 0
    width = max(map(len, bugs.BUGS))
    for bug in bugs.BUGS.values():
        out.write(f"{bug.name:<{width}}  {bug.title}\n")
    return 0


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _as_json(args, results, statuses, verdict, data) -> dict:
    return {
        "passed": verdict == "passed", "status": verdict, "threshold": args.threshold,
        "eps": args.eps, "bug": args.bug, "data": data,
        "parameters": [
            {"name": r.name, "status": status,
             "relative_difference": _finite(r.relative_difference),
             "resolution": _finite(r.resolution), "checked": r.checked,
             "skipped": r.skipped_kinks, "skipped_kinks": r.skipped_kinks, "total": r.total,
             "worst": None if r.worst is None else list(r.worst)}
            for r, status in zip(results, statuses, strict=True)]}


def _write_text(args, out, results, statuses, verdict, data) -> None:
    how = "auto ε (Richardson)" if args.eps is None else f"ε = {args.eps:g}"
    out.write(f"checking {data}, {how}"
              + (f", with bug {args.bug}: {bugs.BUGS[args.bug].description}" if args.bug else "")
              + "\n")
    for r, status in zip(results, statuses, strict=True):
        sampled = "" if r.checked + r.skipped_kinks == r.total else f" of {r.total}"
        skipped = f"{r.skipped_kinks} skipped" + (" at a ReLU kink" if r.skipped_kinks else "")
        word = "FAILED" if status == "failed" else status
        note = r.note(args.threshold)
        out.write(f"{r.name:<6} {r.relative_difference:.2e}  {r.checked} checked, {skipped}"
                  f"{sampled}  {word}" + (f" ({note})" if note else "") + "\n")
    counts = {s: statuses.count(s) for s in ("failed", "not checked") if statuses.count(s)}
    extra = "".join(f"; {n} {'tensor' if n == 1 else 'tensors'} {s}" for s, n in counts.items())
    out.write(f"{verdict} (threshold {args.threshold:g}{extra})\n")
