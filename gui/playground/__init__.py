"""The network playground: the main window, the editor, training controls, the worker thread,
sessions, undo and autosave."""
