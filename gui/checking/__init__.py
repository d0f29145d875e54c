"""Checking backprop in the window: the gradient-check panel and its per-element view, the
injectable bugs (menu and banner), the comparison with PyTorch and the PyTorch export."""
