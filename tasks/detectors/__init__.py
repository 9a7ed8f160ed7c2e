"""Document-level detectors: each one a Stage answering one question (see tasks/stage.py)."""
