"""The network drawn as a node graph, coloured by gradient magnitude: layout (NumPy half),
painting, interaction."""
