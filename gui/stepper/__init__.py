"""Step-through mode: one real training step, stage by stage, with every formula and number."""
