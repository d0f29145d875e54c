"""The window, laid out by feature: common/ (shared pieces), playground/ (main window, editor,
worker, sessions), graph/ (the node graph), plots/ (loss, gradient norms, decision boundary),
stepper/ (step-through mode). app.py starts it."""
