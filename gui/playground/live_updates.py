"""How the playground window takes in what the worker reports and repaints, as a mixin of
MainWindow: reports land in an inbox (from the worker's thread) and the redraw timer takes
them all at once, so that painting, which shares the interpreter lock with training, happens
at the redraw rate and only for the views that have news."""

from __future__ import annotations

from gui.playground.graph_editing import plane_outputs


class LiveUpdates:
    def on_step(self, generation: int, report) -> None:
        """A worker report (see worker.StepReport): the state now and the steps since."""
        if generation != self.generation:
            return  # a straggler from the trainer that was just replaced
        stats = report.stats
        self.latest_stats = stats
        new = stats.step > self._last_plotted_step  # edits and rewinds re-send the same step
        if new:
            self._last_plotted_step = stats.step
        if len(report.steps):
            self.files.touch()
        self.step_plots.extend(report, new)
        if self.banner.showing and not stats.diverged and stats.step > 0:
            self.banner.hide()
        self.status.record(stats.step, report.time)
        self._dirty.update(("stats", "plots"))

    def on_boundary(self, generation: int, outputs) -> None:
        if generation == self.generation:
            self.latest_outputs = outputs
            self._dirty.add("outputs")

    def take_inbox(self) -> None:
        """Process every snapshot the worker has sent since the last call."""
        inbox = self._inbox
        while inbox:
            self.on_step(*inbox.popleft())

    def on_running(self, running: bool) -> None:
        self.take_inbox()  # the steps taken before the pause come first
        self.playing = running
        self.actions.set_playing(running)
        self._dirty.add("stats")  # the status bar's rate turns into "paused" and back

    def on_diverged(self, generation: int, message: str) -> None:
        if generation != self.generation:
            return
        self.banner.show_divergence(message)

    def on_rewound(self, generation: int, step: int) -> None:
        if generation == self.generation:
            self.files.touch()
            self.banner.hide()
            self.statusBar().showMessage(
                f"Rewound to the weights of step {step:,} (the lowest training loss so far). "
                "Lower the learning rate before pressing Play.", 10000)

    def on_neuron_hovered(self, layer: int, neuron: int) -> None:
        self.hovered_neuron = (layer, neuron)
        self._dirty.add("outputs")

    # -- drawing --------------------------------------------------------------------------------
    def redraw(self) -> None:
        """Push the latest snapshot into the views that have news (the redraw timer's tick).

        Repainting is what costs (the worker shares the interpreter lock with this thread), so
        each view repaints only when its data changed, all in this one tick, so that Qt paints
        them in one pass.
        """
        self.take_inbox()
        dirty, self._dirty = self._dirty, set()
        stats = self.latest_stats
        if "stats" in dirty and stats is not None:
            if not self.stepper.active:  # while stepping, the graph shows the traced step
                self.graph.set_stats(stats)
            # Step epoch trains too: its rate shows (the worker flag is a plain read).
            self.status.show(stats, self.playing or self.worker.finishing_epoch)
            self.metrics.show_stats(stats)  # presentation mode's big scores (drawn if shown)
        if "plots" in dirty:
            self.step_plots.refresh()
        if "outputs" in dirty and self.latest_outputs is not None:
            self.boundary.show_outputs(self.latest_outputs, *self.hovered_neuron)
            self.graph.set_neuron_outputs(plane_outputs(self))

    def force_redraw(self) -> None:
        self._dirty.update(("stats", "plots", "outputs"))
        self.redraw()

    def steps_per_second(self) -> float:
        return self.status.steps_per_second()

    # -- lifetime ---------------------------------------------------------------------------------
