"""The query embedder without torch: the index's model exported to ONNX, run with onnxruntime.

`index build` embeds with sentence-transformers (writer/index/embed.py) and, once, exports the
same model's transformer to ONNX beside the index (`<store>/query-model/`: model.onnx, the fast
tokenizer's tokenizer.json and manifest.json naming the model, its dimension, pooling, maximum
length and the sha256 and size of both files). Queries then tokenize with `tokenizers` and run
the graph with `onnxruntime` (both come with chromadb), pool and normalise in numpy as the
model's sentence-transformers Pooling module says: no torch, no sentence_transformers import.

The export is checked before it is kept: the ONNX vectors of a sample of the corpus must agree
with sentence-transformers' to cosine >= MIN_COSINE, else no file is written and queries fall
back to sentence-transformers (so do indexes built before this, until `index build` adds it).
Exporting needs `onnx` and `onnxscript` (torch.onnx's exporter imports them); queries do not.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

DIRNAME = "query-model"
MANIFEST = "manifest.json"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
FORMAT = 1
MIN_COSINE = 0.9999
POOLINGS = ("mean", "cls")
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class ExportError(Exception):
    """The model cannot be exported (or its export does not reproduce it)."""


def query_model_dir(loc: Any) -> Path:
    """Beside the index: inside a local store; for a chroma server, in the local data dir per URL."""
    if getattr(loc, "kind", "local") == "local" and getattr(loc, "path", None) is not None:
        return Path(loc.path) / DIRNAME
    tag = hashlib.sha256(str(loc.url).encode()).hexdigest()[:12]
    base = Path(loc.lock_dir) if getattr(loc, "lock_dir", None) else Path.home() / ".local" / "share" / "ghplan"
    return base / f"{DIRNAME}-{tag}"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def source_fingerprint(path: str) -> str:
    """What the model directory holds (names, sizes, config text): a changed model re-exports."""
    p = Path(path)
    if not p.is_dir():
        return f"name:{path}"
    h = hashlib.sha256()
    for f in sorted(p.rglob("*")):
        if f.is_file() and not f.name.startswith("."):
            h.update(f"{f.relative_to(p)}:{f.stat().st_size}\n".encode())
            if f.suffix == ".json" and f.stat().st_size < 1 << 20:
                h.update(f.read_bytes())
    return h.hexdigest()


def read_manifest(dest: Path) -> dict | None:
    try:
        return json.loads((dest / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None


def usable(dest: Path, model_name: str, full: bool = False) -> dict | None:
    """The manifest if the files there are this model's export and intact, else None.
    Cheap by default (sizes); `full` also checks the sha256 of both files (at build)."""
    m = read_manifest(dest)
    if not m or m.get("format") != FORMAT or m.get("model") != model_name:
        return None
    for key, fname in (("onnx", MODEL_FILE), ("tokenizer", TOKENIZER_FILE)):
        f = dest / fname
        try:
            if f.stat().st_size != m[key]["bytes"]:
                return None
        except (OSError, KeyError, TypeError):
            return None
        if full and _sha256(f) != m[key]["sha256"]:
            return None
    return m


def export_status(loc: Any, index_model: str = "") -> dict:
    """What `index status` says about the ONNX query model: present, its model, whether both
    files still hash as the manifest says, and whether queries use it (`used`: the index's model,
    files of the recorded sizes, the check queries make)."""
    dest = query_model_dir(loc)
    m = read_manifest(dest)
    if m is None:
        return {"present": False, "path": str(dest), "used": False}
    ok = True
    for key, fname in (("onnx", MODEL_FILE), ("tokenizer", TOKENIZER_FILE)):
        try:
            ok = ok and _sha256(dest / fname) == m[key]["sha256"]
        except (OSError, KeyError, TypeError):
            ok = False
    model = str(m.get("model", ""))
    return {"present": True, "path": str(dest), "model": model, "dim": m.get("dim"),
            "hash": "ok" if ok else "mismatch", "exported_at": m.get("exported_at", ""),
            "used": usable(dest, index_model or model) is not None}


# ---------------------------------------------------------------- query time (no torch)

@dataclass
class OnnxEmbedder:
    """Same interface as embed.Embedder: unit-normalised float32 vectors."""
    name: str
    path: str           # the query-model directory
    dim: int
    session: Any
    tokenizer: Any
    pooling: str
    backend: str = "onnx"

    def encode(self, texts: Sequence[str], batch_size: int = 16,
               progress: Callable[[int], None] | None = None):
        import numpy as np

        from ghplan.writer.index.embed import encode_by_length

        wanted = {i.name for i in self.session.get_inputs()}

        def batch(chunk: list[str]):
            encs = self.tokenizer.encode_batch(chunk)
            feed = {
                "input_ids": np.asarray([e.ids for e in encs], dtype="int64"),
                "attention_mask": np.asarray([e.attention_mask for e in encs], dtype="int64"),
                "token_type_ids": np.asarray([e.type_ids for e in encs], dtype="int64"),
            }
            hidden = self.session.run(None, {k: v for k, v in feed.items() if k in wanted})[0]
            return pool(hidden, feed["attention_mask"], self.pooling)

        return encode_by_length(texts, self.dim, batch_size, batch, progress)

    def encode_one(self, text: str):
        return self.encode([text])[0]


def pool(hidden, mask, mode: str):
    """Pooling as sentence-transformers' Pooling module, then L2 normalisation."""
    import numpy as np

    hidden = hidden.astype("float32", copy=False)
    if mode == "cls":
        v = hidden[:, 0, :]
    else:
        m = mask[:, :, None].astype("float32")
        v = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return (v / np.clip(norms, 1e-12, None)).astype("float32")


def load_onnx_embedder(dest: Path, model_name: str) -> OnnxEmbedder | None:
    """The ONNX embedder kept at `dest` for `model_name`, or None (absent, other model, damaged)."""
    m = usable(dest, model_name)
    if m is None:
        return None
    try:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(dest / TOKENIZER_FILE))
        tok.enable_truncation(max_length=int(m["max_seq_length"]))
        tok.enable_padding(pad_id=int(m.get("pad_id", 0)), pad_token=str(m.get("pad_token", "[PAD]")))
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        # One thread: a query is a few dozen tokens, and on a small shared machine a second
        # spinning thread costs more than it gives (p50 3.7 ms vs 6 ms on 2 busy cores).
        opts.intra_op_num_threads = max(1, int(os.environ.get("GHPLAN_ONNX_THREADS", "1") or 1))
        opts.inter_op_num_threads = 1
        sess = ort.InferenceSession(str(dest / MODEL_FILE), sess_options=opts,
                                    providers=["CPUExecutionProvider"])
    except Exception:
        return None
    return OnnxEmbedder(name=model_name, path=str(dest), dim=int(m["dim"]), session=sess,
                        tokenizer=tok, pooling=str(m["pooling"]))


# ---------------------------------------------------------------- build time (torch)

def _pooling_of(model: Any) -> str:
    """The pooling mode, if the sentence-transformers model is exactly Transformer + Pooling
    (+ Normalize); anything else (Dense layers, prompts, other modalities) is not exported."""
    mods = list(model)
    kinds = [type(x).__name__ for x in mods]
    if len(mods) < 2 or kinds[0] != "Transformer" or kinds[1] != "Pooling" \
            or any(k != "Normalize" for k in kinds[2:]):
        raise ExportError(f"modules {kinds}: only Transformer + Pooling (+ Normalize) export")
    mode = getattr(mods[1], "pooling_mode", None)
    if mode is None:
        cfg = mods[1].get_config_dict() if hasattr(mods[1], "get_config_dict") else {}
        mode = cfg.get("pooling_mode") or ("cls" if cfg.get("pooling_mode_cls_token") else
                                           "mean" if cfg.get("pooling_mode_mean_tokens") else None)
    if mode not in POOLINGS:
        raise ExportError(f"pooling {mode!r} is not exported (only {', '.join(POOLINGS)})")
    return str(mode)


def export_query_model(embedder: Any, dest: Path, samples: Sequence[str]) -> dict:
    """Export `embedder`'s model to ONNX at `dest` (atomically), checked on `samples`. Returns the
    manifest; raises ExportError if it cannot be exported or does not reproduce the model."""
    t0 = time.perf_counter()
    model = getattr(embedder, "model", None)
    try:
        transformer = model[0]
        auto_model = transformer.auto_model
        hf_tok = transformer.tokenizer
        backend = hf_tok.backend_tokenizer
    except Exception:
        raise ExportError("not a sentence-transformers model with a fast tokenizer") from None
    pooling = _pooling_of(model)
    max_len = int(getattr(transformer, "max_seq_length", 0) or getattr(hf_tok, "model_max_length", 512))
    if getattr(transformer, "do_lower_case", False):
        raise ExportError("do_lower_case models are not exported")

    import torch
    import warnings

    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{DIRNAME}-", dir=dest.parent))
    tmp.chmod(0o755)
    try:
        backend.save(str(tmp / TOKENIZER_FILE))
        example = hf_tok(["工会工作计划", "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实"],
                         padding=True, return_tensors="pt")
        names = [n for n in INPUTS if n in example]

        class _Hidden(torch.nn.Module):
            def __init__(self, m):
                super().__init__()
                self.m = m

            def forward(self, *args):
                return self.m(**dict(zip(names, args))).last_hidden_state

        axes = {n: {0: "batch", 1: "seq"} for n in names + ["last_hidden_state"]}
        was_training = auto_model.training
        auto_model.eval()
        try:
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                torch.onnx.export(_Hidden(auto_model), tuple(example[n] for n in names),
                                  str(tmp / MODEL_FILE), input_names=names,
                                  output_names=["last_hidden_state"], dynamic_axes=axes,
                                  opset_version=17, dynamo=False)
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise ExportError(f"torch.onnx export failed: {first}") from None
        finally:
            auto_model.train(was_training)
        pad_id = hf_tok.pad_token_id if hf_tok.pad_token_id is not None else 0
        manifest = {
            "format": FORMAT, "model": embedder.name, "dim": int(embedder.dim), "pooling": pooling,
            "normalize": True, "max_seq_length": max_len, "inputs": names,
            "pad_id": int(pad_id), "pad_token": str(hf_tok.pad_token or "[PAD]"),
            "source": str(embedder.path), "source_fingerprint": source_fingerprint(str(embedder.path)),
            "onnx": {"sha256": _sha256(tmp / MODEL_FILE), "bytes": (tmp / MODEL_FILE).stat().st_size},
            "tokenizer": {"sha256": _sha256(tmp / TOKENIZER_FILE),
                          "bytes": (tmp / TOKENIZER_FILE).stat().st_size},
            "torch": torch.__version__, "exported_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
        onnx_emb = load_onnx_embedder(tmp, embedder.name)
        if onnx_emb is None:
            raise ExportError("the exported model does not load in onnxruntime")
        check = list(samples) or ["工会工作计划"]
        a, b = embedder.encode(check), onnx_emb.encode(check)
        worst = float((a * b).sum(axis=1).min())
        if worst < MIN_COSINE:
            raise ExportError(f"ONNX vectors differ from sentence-transformers' (cosine {worst:.6f})")
        manifest["check"] = {"samples": len(check), "min_cosine": round(worst, 7)}
        manifest["export_seconds"] = round(time.perf_counter() - t0, 2)
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(tmp, dest)
        return manifest
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cache_root() -> Path:
    """Where exports are kept per machine: $XDG_CACHE_HOME/ghplan (~/.cache/ghplan), or
    $GHPLAN_CACHE_DIR when set (the tests point it at a temporary folder)."""
    if os.environ.get("GHPLAN_CACHE_DIR"):
        return Path(os.environ["GHPLAN_CACHE_DIR"]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ghplan"


def _cache_dir(model_name: str, fingerprint: str) -> Path:
    tag = hashlib.sha256(f"{model_name}\n{fingerprint}".encode()).hexdigest()[:16]
    return cache_root() / f"{DIRNAME}-{tag}"


def _place(src: Path, dest: Path) -> None:
    """Put the export at `src` at `dest` atomically: hard links (an export is never changed in
    place, only replaced), a copy where links cannot be made (another file system)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    tmp.chmod(0o755)
    try:
        for name in (MODEL_FILE, TOKENIZER_FILE, MANIFEST):
            try:
                os.link(src / name, tmp / name)
            except OSError:
                shutil.copy2(src / name, tmp / name)
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _exportable(emb: Any) -> bool:
    """A sentence-transformers model of a shape we export (a stand-in embedder is not)."""
    try:
        _pooling_of(emb.model)
        return bool(getattr(emb, "path", ""))
    except Exception:
        return False


def _from_cache(emb: Any, model_name: str, dest: Path) -> dict | None:
    """This machine's earlier export of the same model files, placed at `dest`: one export per
    model, not one per store (tests, benches and evaluations build many stores)."""
    if not _exportable(emb):
        return None
    cached = _cache_dir(model_name, source_fingerprint(str(emb.path)))
    m = usable(cached, model_name, full=True)
    if m is None or m.get("source_fingerprint") != source_fingerprint(str(emb.path)):
        return None
    try:
        _place(cached, dest)
    except OSError:
        return None
    return m


def _to_cache(model_name: str, dest: Path, m: dict) -> None:
    try:
        _place(dest, _cache_dir(model_name, str(m.get("source_fingerprint", ""))))
    except OSError:
        pass            # a cache that cannot be written only costs the next store an export


def ensure_query_model(loc: Any, model_name: str, embedder_factory: Callable[[], Any],
                       samples: Sequence[str] = (), force: bool = False) -> str:
    """At index build: keep an up-to-date ONNX export beside the index (adding one to an index
    built without it, no re-embedding; from this machine's cache when the same model was exported
    before, unless `force`). Returns a one-line note for the build report."""
    from ghplan.writer.index.embed import resolve_model_path

    dest = query_model_dir(loc)
    m = None if force else usable(dest, model_name, full=True)
    if m is not None:
        try:
            current = source_fingerprint(resolve_model_path(model_name))
        except Exception:
            current = m.get("source_fingerprint")
        if current == m.get("source_fingerprint"):
            return f"query model: ONNX at {dest} (kept)"
    try:
        emb = embedder_factory()
        m = None if force else _from_cache(emb, model_name, dest)
        if m is not None:
            return f"query model: ONNX at {dest} (this machine's export of {model_name})"
        m = export_query_model(emb, dest, samples)
        _to_cache(model_name, dest, m)
    except ExportError as exc:
        shutil.rmtree(dest, ignore_errors=True)     # never leave another model's export behind
        return f"query model: no ONNX export ({exc}); queries load sentence-transformers"
    except ImportError as exc:
        shutil.rmtree(dest, ignore_errors=True)
        return (f"query model: no ONNX export ({exc.name or exc} is not installed); "
                "queries load sentence-transformers")
    except Exception as exc:     # the new index is already in place: the export never fails a build
        shutil.rmtree(dest, ignore_errors=True)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        return f"query model: no ONNX export ({first}); queries load sentence-transformers"
    return (f"query model: exported to ONNX at {dest} in {m['export_seconds']:.1f} s "
            f"(cosine >= {m['check']['min_cosine']:.5f} on {m['check']['samples']} chunks)")
