"""Training: the Trainer loop, metrics, events, run directory and checkpoints."""
