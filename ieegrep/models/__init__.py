"""Encoders: BrainBERT and BaRISTA, and the checkpoints that hold them."""
