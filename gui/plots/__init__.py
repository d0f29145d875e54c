"""Live plots: the loss and gradient-norm curves, the decision-boundary view and its key."""
