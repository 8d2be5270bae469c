"""A stand-in embedder for tests that need a real chromadb index but not the model: 8-dim unit
vectors hashed from the text (deterministic, no torch)."""
from __future__ import annotations

import hashlib

import numpy as np


class StandIn:
    dim = 8

    def encode(self, texts, batch_size=16, progress=None):
        v = np.array([list(hashlib.sha256(t.encode()).digest()[:8]) for t in texts], dtype="float32") + 1
        if progress:
            progress(len(texts))
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def encode_one(self, text):
        return self.encode([text])[0]
