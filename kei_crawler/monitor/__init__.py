"""The monitor's commands over snapshot.diff: ``diff`` output formats, the Atom feed, the snapshots listing."""
