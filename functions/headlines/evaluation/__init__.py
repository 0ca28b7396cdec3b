"""Quality evaluations behind `headlines eval ...`, each measured against baselines computed in the same run."""
