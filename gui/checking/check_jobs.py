"""What the checking GUI asks the training worker to do, run in the worker's thread between two
steps (through worker.call): check the gradients, compare with PyTorch, inject or remove a bug.

Checks run on a copy of the network, so the trainer's next step is exactly what it would have
been; only a bug changes the real network (its backward, never its numbers). What comes back
is plain results the GUI thread may keep. No Qt here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from engine import bugs
from engine.gradcheck import check_data, gradcheck

# The check runs in the worker while the window waits (worker.call): these bounds keep it to
# moments on the largest network the editor allows (10 layers of 32, a batch of thousands),
# and the panel says what was checked.
MAX_ROWS = 8  # samples of the mini-batch
MAX_ELEMENTS = 32  # elements per tensor, a seeded sample beyond that (the CLI takes more)


@dataclass(frozen=True)
class CheckRun:
    results: list  # engine.gradcheck.GradcheckResult per parameter tensor
    description: str  # which data: "the last mini-batch (10 samples)", "training sample 3"
    step: int  # the network's step count when checked
    generation: int  # the worker's trainer it was checked on
    bug: str | None  # the bug injected then
    comparison: object | None = None  # engine.torch_compare.TorchComparison, when asked for
    feedback: str = "backprop"  # the gradient signal: under "fa" the hidden layers differ
    samples: int = 0  # how many samples were checked


def run_check(worker, sample: int | None, eps: float | None, compare: bool = False) -> CheckRun:
    """Gradient check of the worker's network on its last mini-batch (sample None) or on one
    training sample; with compare, PyTorch's gradients on the same copy and data too."""
    trainer = worker.trainer
    X, y, description = check_data(trainer, sample, max_rows=MAX_ROWS)
    network = copy.deepcopy(trainer.network)  # an injected bug comes along (it is the point)
    results = gradcheck(network, X, y, eps=eps, max_elements=MAX_ELEMENTS)
    comparison = None
    if compare:
        from engine.torch_compare import compare_with_torch  # torch loads only when asked

        comparison = compare_with_torch(network, X, y)
    return CheckRun(results, description, trainer.step_count, worker.generation,
                    bugs.injected(trainer.network), comparison,
                    getattr(trainer.spec, "feedback", "backprop"), len(X))


def set_bug(worker, name: str | None) -> str | None:
    """Inject bug `name` into the worker's network (None: remove any); returns the bug the
    network has now. ValueError (one line) for a bug this network cannot have, and then
    nothing has changed. The graph is sent the gradients the network now computes."""
    network = worker.trainer.network
    if name is not None:
        reason = bugs.applicable(network, name)
        if reason:
            raise ValueError(reason)
    if bugs.injected(network) == name:
        return name
    if name is None:
        bugs.remove(network)
    else:
        bugs.inject(network, name)
    worker.report_state()
    return bugs.injected(network)
