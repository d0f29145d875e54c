"""Presets and screenshots; installed as the package backprop_resources."""
