"""Shared by every part of the window: colours, formula markup, the keyboard and wheel guards,
remembered settings."""
