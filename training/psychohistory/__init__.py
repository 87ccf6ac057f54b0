"""PsychoHistory training pipeline: case data, candidate-based SFT, GRPO and evaluation, locally and on Modal."""
