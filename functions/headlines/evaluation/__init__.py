"""Quality evaluations, each measured against baselines computed in the same run."""
