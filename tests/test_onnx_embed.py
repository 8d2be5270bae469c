"""The query path without torch (issue 14): the ONNX export beside the index, its checks, and the
sentence-transformers fallback."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ghplan.writer.config import DEFAULT_EMBED_MODEL
from ghplan.writer.index import embed, onnx_embed
from tests.shared_index import clean_env, copy_store, session_index

# Run a command in a child process, then say which heavy modules it imported.
HARNESS = """
import json, sys
from ghplan.writer.cli import run
sys.argv = ["ghplan", *json.loads(sys.argv[1])]
try:
    run()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules)
print("HARNESS " + json.dumps({"code": code, "heavy": heavy,
                                "onnxruntime": "onnxruntime" in sys.modules}), file=sys.stderr)
"""


def _harness(args: list[str], env: dict, cwd: Path) -> tuple[dict, str]:
    p = subprocess.run([sys.executable, "-c", HARNESS, json.dumps(args)], capture_output=True,
                       text=True, env=env, cwd=cwd, timeout=300)
    line = [x for x in p.stderr.splitlines() if x.startswith("HARNESS ")]
    assert line, p.stderr[-3000:]
    return json.loads(line[-1][len("HARNESS "):]), p.stderr


def _tiny_export(dest: Path, dim: int = 8) -> np.ndarray:
    """A stand-in export: the real tokenizer, a graph that looks each token up in a table (no
    model load). Returns the table."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    dest.mkdir(parents=True)
    tok = Path(embed.resolve_model_path(DEFAULT_EMBED_MODEL)) / "tokenizer.json"
    shutil.copy(tok, dest / onnx_embed.TOKENIZER_FILE)
    vocab = len(json.loads(tok.read_text("utf-8"))["model"]["vocab"])
    table = np.random.default_rng(7).standard_normal((vocab, dim)).astype("float32")
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "input_ids"], ["last_hidden_state"], axis=0)], "tiny",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["b", "s"])],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["b", "s", dim])],
        [numpy_helper.from_array(table, "table")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(dest / onnx_embed.MODEL_FILE))
    files = {key: {"sha256": onnx_embed._sha256(dest / f), "bytes": (dest / f).stat().st_size}
             for key, f in (("onnx", onnx_embed.MODEL_FILE), ("tokenizer", onnx_embed.TOKENIZER_FILE))}
    (dest / onnx_embed.MANIFEST).write_text(json.dumps({
        "format": onnx_embed.FORMAT, "model": DEFAULT_EMBED_MODEL, "dim": dim, "pooling": "mean",
        "max_seq_length": 512, "inputs": ["input_ids"], "pad_id": 0, "pad_token": "[PAD]", **files}))
    return table


def test_query_embedder_runs_without_torch(tmp_path):
    table = _tiny_export(tmp_path / "query-model")
    code = (
        "import sys, json\n"
        "from pathlib import Path\n"
        "from ghplan.writer.index.embed import get_query_embedder\n"
        f"e = get_query_embedder({DEFAULT_EMBED_MODEL!r}, Path({str(tmp_path / 'query-model')!r}))\n"
        "v = e.encode(['工会工作计划', '职工之家', '以习近平新时代中国特色社会主义思想为指导'])\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules]\n"
        "print(json.dumps({'backend': e.backend, 'v': v.tolist(), 'heavy': heavy}))\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    got = json.loads(p.stdout)
    assert got["backend"] == "onnx" and got["heavy"] == []
    assert "ghplan: note" not in p.stderr
    # mean of the table rows of the tokens ([CLS] … [SEP]), normalised: what the graph + pooling give
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(tmp_path / "query-model" / onnx_embed.TOKENIZER_FILE))
    for text, vec in zip(['工会工作计划', '职工之家', '以习近平新时代中国特色社会主义思想为指导'], got["v"]):
        want = table[tok.encode(text).ids].mean(axis=0)
        want /= np.linalg.norm(want)
        assert np.allclose(vec, want, atol=1e-5)


def test_a_damaged_or_foreign_export_is_not_used(tmp_path):
    dest = tmp_path / "query-model"
    _tiny_export(dest)
    assert onnx_embed.usable(dest, DEFAULT_EMBED_MODEL, full=True) is not None
    assert onnx_embed.usable(dest, "some/other-model") is None
    with open(dest / onnx_embed.MODEL_FILE, "ab") as f:
        f.write(b"\0")
    assert onnx_embed.usable(dest, DEFAULT_EMBED_MODEL) is None


def test_no_export_falls_back_to_sentence_transformers_with_a_note(tmp_path, monkeypatch, capsys):
    stand_in = object()
    monkeypatch.setattr(embed, "get_embedder", lambda name=None: stand_in)
    monkeypatch.setattr(embed, "_NOTED", set())
    for _ in range(2):
        assert embed.get_query_embedder(DEFAULT_EMBED_MODEL, tmp_path / "query-model") is stand_in
    err = [x for x in capsys.readouterr().err.splitlines() if x.strip()]
    assert len(err) == 1 and err[0].startswith("ghplan: note: no ONNX query model"), err


def test_a_model_that_cannot_be_exported_leaves_no_file(tmp_path):
    class StandIn:                      # what the crash tests build with: no transformer inside
        name, path, dim, model = DEFAULT_EMBED_MODEL, "", 8, None

    loc = type("Loc", (), {"kind": "local", "path": tmp_path})()
    note = onnx_embed.ensure_query_model(loc, DEFAULT_EMBED_MODEL, StandIn, ["工会"])
    assert "no ONNX export" in note and "sentence-transformers" in note
    assert not (tmp_path / onnx_embed.DIRNAME).exists()


@pytest.mark.slow
def test_onnx_vectors_agree_with_sentence_transformers_on_real_chunks(tmp_path_factory, embedder):
    """The export `ghplan index build` wrote for the session's index (one export per test run:
    exporting costs ~10 s on 2 cores), against sentence-transformers on every seed chunk."""
    from ghplan.writer.index.chunk import corpus_chunks

    texts = [c.embed_text for c in corpus_chunks(None, 2027)]
    assert len(texts) >= 50
    exported = Path(session_index(tmp_path_factory)["store"]) / onnx_embed.DIRNAME
    m = json.loads((exported / onnx_embed.MANIFEST).read_text("utf-8"))
    assert m["model"] == DEFAULT_EMBED_MODEL and m["dim"] == embedder.dim
    onnx_emb = onnx_embed.load_onnx_embedder(exported, DEFAULT_EMBED_MODEL)
    assert onnx_emb is not None
    texts += ["工会会员服务", "职工之家建设", "劳动竞赛", "a"]    # queries: short, one token
    a, b = embedder.encode(texts), onnx_emb.encode(texts)
    cos = (a * b).sum(axis=1)
    assert cos.min() >= 0.9999, (cos.min(), texts[int(cos.argmin())][:40])
    # one at a time (how queries run) gives the same vectors as batches
    for i in (0, len(texts) - 2):
        assert float(onnx_emb.encode_one(texts[i]) @ b[i]) >= 0.99999


@pytest.mark.slow
def test_build_adds_the_export_without_reembedding_and_search_loads_no_torch(tmp_path_factory, tmp_path):
    shared = session_index(tmp_path_factory)
    store = copy_store(shared, tmp_path / "index")
    env = clean_env(tmp_path)
    assert (store / onnx_embed.DIRNAME / onnx_embed.MANIFEST).is_file()     # the CLI build wrote it
    shutil.rmtree(store / onnx_embed.DIRNAME)                              # an index from before

    got, err = _harness(["search", "工会会员服务", "--store", str(store), "--json"], env, tmp_path)
    assert got["code"] == 0 and "torch" in got["heavy"]                    # the fallback
    assert "ghplan: note: no ONNX query model" in err

    p = subprocess.run([str(Path(sys.executable).with_name("ghplan")), "index", "build", "--corpus",
                        shared["pages"], "--no-seeds", "--store", str(store), "--year", "2027", "--json"],
                       capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert p.returncode == 0, p.stderr[-3000:]
    rep = json.loads(p.stdout)
    assert rep["embedded"] == 0 and rep["reused"] == rep["chunks"]
    assert "exported to ONNX" in rep["note"]
    assert onnx_embed.usable(store / onnx_embed.DIRNAME, DEFAULT_EMBED_MODEL, full=True)

    got, err = _harness(["search", "工会会员服务", "--store", str(store), "--json"], env, tmp_path)
    assert got == {"code": 0, "heavy": [], "onnxruntime": True}, err[-2000:]
    assert "ghplan: note" not in err


def test_a_model_that_fails_to_load_does_not_fail_the_build(tmp_path):
    def factory():
        raise embed.ModelError("cannot load embedding model (offline): boom")

    loc = type("Loc", (), {"kind": "local", "path": tmp_path})()
    note = onnx_embed.ensure_query_model(loc, DEFAULT_EMBED_MODEL, factory, ["工会"])
    assert note.startswith("query model: no ONNX export (cannot load") and "boom" in note
