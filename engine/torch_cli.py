"""`python main.py export-torch --preset NAME -o net.py`: the network as a PyTorch script.

The script (engine/torch_export.py) continues the training from the preset's initial weights,
or from where a session file left off, with the same data, batches, loss and optimiser. Writing
it needs no torch; running it does.
"""

from __future__ import annotations

from .presets import preset_names
from .torch_export import write_export


def add_export_parser(sub) -> None:
    p = sub.add_parser("export-torch", help="write a standalone PyTorch script of the network")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--preset", help=f"one of: {', '.join(preset_names())}")
    group.add_argument("--config", metavar="FILE",
                       help="a spec or session JSON file (a session continues where it was)")
    p.add_argument("-o", "--output", required=True, metavar="PATH",
                   help="the script to write (a large data set goes to a .csv beside it)")
    p.add_argument("--steps", type=int, default=1000,
                   help="training steps the script takes by default (1000)")


def cmd_export_torch(args, out) -> int:
    from .cli import UsageError, load_trainer  # cli imports this module: import it late

    if args.steps < 1:
        raise UsageError(f"--steps must be ≥ 1, got {args.steps}")
    paths = write_export(load_trainer(args), args.output, steps=args.steps)
    for path in paths:
        out.write(f"wrote {path}\n")
    return 0
