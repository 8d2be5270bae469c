"""The open index's rows as columns: what a search filters on, without reading every chunk.

A search needs, for every chunk, only the few fields that decide whether it may be served (type,
role, plan or summary, stale, the last current year, origin, organisation); the texts and full
metadata only of the few dozen candidates it ranks. Reading all 100k texts and parsing 100k JSON
metadata at each process start took 1.3 s; so the build stores these fields beside the lexical
postings as dictionary-encoded int32 columns (one blob and one small vocabulary each, in the
lexical file's info table), the filter is a numpy mask over them, and texts are fetched by
position when a candidate needs one. A lexical file written before the columns existed, or the
in-memory fallback, gets the same table built from its rows.
"""
from __future__ import annotations

import json
from array import array
from typing import Any, Callable, Sequence

COLUMNS = ("org_type", "role", "plan", "stale", "current_until", "origin", "org")


class ColumnWriter:
    """Collects the columns as a build streams its rows; `info_rows()` is what the file keeps."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.codes = {c: array("i") for c in COLUMNS}
        self.vocab: dict[str, dict[tuple[str, Any], int]] = {c: {} for c in COLUMNS}

    def add(self, cid: str, meta: dict) -> None:
        self.ids.append(cid)
        for c in COLUMNS:
            v = meta.get(c)
            key = (type(v).__name__, v)        # True and 1 are one dict key; keep them apart
            code = self.vocab[c].get(key)
            if code is None:
                code = self.vocab[c][key] = len(self.vocab[c])
            self.codes[c].append(code)

    def info_rows(self) -> list[tuple[str, Any]]:
        import numpy as np

        rows: list[tuple[str, Any]] = [("ids", json.dumps(self.ids))]
        for c in COLUMNS:
            rows.append((f"vocab:{c}", json.dumps([v for _, v in self.vocab[c]], ensure_ascii=False)))
            rows.append((f"codes:{c}", np.asarray(self.codes[c], dtype="<i4").tobytes()))
        return rows


class Table:
    """Ids, the filter columns, and the rows fetched on demand (`fetch(positions)`)."""

    def __init__(self, ids: list[str], codes: dict[str, Any], vocab: dict[str, list],
                 fetch: Callable[[list[int]], dict[int, tuple[str, dict]]]):
        self.ids, self.codes, self.vocab, self._fetch = ids, codes, vocab, fetch
        self._rows: dict[int, tuple[str, dict]] = {}
        self._pos: dict[str, int] | None = None
        self._masks: dict[tuple, Any] = {}

    @classmethod
    def from_info(cls, info: dict, fetch: Callable[[list[int]], dict[int, tuple[str, dict]]]) -> "Table | None":
        """From a lexical file's info table; None when it predates the columns."""
        import numpy as np

        if "ids" not in info or any(f"codes:{c}" not in info for c in COLUMNS):
            return None
        codes = {c: np.frombuffer(info[f"codes:{c}"], dtype="<i4") for c in COLUMNS}
        vocab = {c: json.loads(info[f"vocab:{c}"]) for c in COLUMNS}
        return cls(json.loads(info["ids"]), codes, vocab, fetch)

    @classmethod
    def from_rows(cls, ids: list[str], texts: Sequence[str], metas: Sequence[dict]) -> "Table":
        import numpy as np

        w = ColumnWriter()
        for cid, m in zip(ids, metas):
            w.add(cid, m or {})
        codes = {c: np.asarray(w.codes[c], dtype="int32") for c in COLUMNS}
        vocab = {c: [v for _, v in w.vocab[c]] for c in COLUMNS}
        return cls(list(ids), codes, vocab, lambda pos: {i: (texts[i], metas[i] or {}) for i in pos})

    def __len__(self) -> int:
        return len(self.ids)

    def _where(self, column: str, pred: Callable[[Any], bool]) -> Any:
        """A row mask: `pred` judged once per distinct value, then spread over the rows."""
        import numpy as np

        ok = np.fromiter((bool(pred(v)) for v in self.vocab[column]), dtype=bool,
                         count=len(self.vocab[column]))
        return ok[self.codes[column]] if len(ok) else np.zeros(len(self.ids), dtype=bool)

    def mask(self, types: Sequence[str] | None, role: str | None, year: int | None,
             orgs: Sequence[str] = ()) -> Any:
        """The rows a search may serve, as retrieve.eligible and Retriever._allowed say (kept per
        filter: a search asks for the same one more than once, a draft for the same few)."""
        key = (tuple(types) if types is not None else None, role, year, tuple(orgs))
        if key not in self._masks:
            if len(self._masks) > 64:
                self._masks.clear()
            self._masks[key] = self._mask(types, role, year, orgs)
            self._masks[key].flags.writeable = False       # shared: nobody may change it
        return self._masks[key]

    def _mask(self, types: Sequence[str] | None, role: str | None, year: int | None,
              orgs: Sequence[str]) -> Any:
        m = self._where("plan", bool)
        if year is None:
            m &= self._where("stale", lambda v: not v)
        else:
            m &= self._where("current_until", lambda v: int(v or 0) >= year)
        if types is not None:
            of_type = self._where("org_type", lambda v: v in types)
            if orgs:       # the organisation's own plans are served whatever type they read as
                of_type |= self._where("origin", lambda v: str(v or "seed") == "user") & \
                    self._where("org", lambda v: v in orgs)
            m &= of_type
        if role is not None:
            m &= self._where("role", lambda v: v == role)
        return m

    def positions(self, *a: Any, **kw: Any) -> Any:
        import numpy as np

        return np.flatnonzero(self.mask(*a, **kw))

    def user_orgs(self) -> set[str]:
        """The organisation names on the user's own chunks."""
        import numpy as np

        user = self._where("origin", lambda v: str(v or "seed") == "user")
        return {str(self.vocab["org"][c]) for c in np.unique(self.codes["org"][user])
                if self.vocab["org"][c]}

    def rows(self, positions: Sequence[int]) -> dict[int, tuple[str, dict]]:
        """(text, metadata) by position, fetched once and kept."""
        todo = [int(p) for p in positions if int(p) not in self._rows]
        if todo:
            self._rows.update(self._fetch(todo))
        return {int(p): self._rows[int(p)] for p in positions}

    def pos(self, cid: str) -> int:
        if self._pos is None:
            self._pos = {c: i for i, c in enumerate(self.ids)}
        return self._pos[cid]
