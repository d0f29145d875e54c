"""The graph lab: the chain rule on any expression, op by op."""
