"""The child process that runs one Python model: ``python -m fusion.materializations.python_child DIR``.

``DIR/job.json`` says where the model's file is, which Arrow IPC file holds each input and
where to write the result. The model's inputs come as Arrow; ``dbt.ref()``/``dbt.source()``
return DuckDB relations over them when the ``duckdb`` module is installed (``session`` is then
that in-memory DuckDB connection, holding every input under its warehouse name, as dbt-duckdb's
models expect), otherwise objects with the same ``.df()``/``.arrow()``/``.pl()``/``.fetchall()``.
The result (a pyarrow Table, a pandas or polars DataFrame, a DuckDB relation) is written back as
Arrow IPC. A failure is written to ``DIR/error.json`` (type, message, line in the model's file).

This module imports nothing from Fusion: the child needs only pyarrow and what the model uses.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.ipc as ipc


class ArrowRelation:
    """An input without DuckDB: the methods dbt-duckdb models call on ``dbt.ref()``."""

    def __init__(self, name: str, table: pa.Table):
        self._name, self._table = name, table

    def __str__(self) -> str:
        return self._name

    @property
    def columns(self) -> list[str]:
        return self._table.column_names

    def arrow(self) -> pa.RecordBatchReader:  # what DuckDB 1.4+ returns
        return pa.RecordBatchReader.from_batches(self._table.schema, self._table.to_batches())

    def to_arrow_table(self) -> pa.Table:
        return self._table

    fetch_arrow_table = to_arrow_table

    def df(self) -> Any:
        return self._table.to_pandas()

    to_df = fetchdf = df

    def pl(self) -> Any:
        import polars

        return polars.from_arrow(self._table)

    def fetchall(self) -> list[tuple]:
        return list(zip(*(c.to_pylist() for c in self._table.columns), strict=True))

    def fetchone(self) -> tuple | None:
        rows = self.fetchall()
        return rows[0] if rows else None


class This:
    """``dbt.this``: the model's relation; its text is the quoted name."""

    def __init__(self, spec: dict[str, Any]):
        self.database, self.schema, self.identifier = spec["database"], spec["schema"], spec["identifier"]
        self._rendered = spec["relation"]

    def __str__(self) -> str:
        return self._rendered

    __repr__ = __str__


class Config:
    """``dbt.config``: a no-op when called (the parse read it); ``get``/``meta_get`` read values."""

    def __init__(self, values: dict[str, Any], meta: dict[str, Any]):
        self._values, self._meta = values, meta

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        return None

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default)

    def meta_get(self, key: str, default: Any = None) -> Any:
        return self._meta.get(key, default)


class Dbt:
    """The ``dbt`` argument of ``model(dbt, session)``."""

    def __init__(self, job: dict[str, Any], load):
        self._job, self._load = job, load
        self.this = This(job["this"])
        self.is_incremental = bool(job["is_incremental"])
        self.config = Config(job["config"], job["meta"])

    def ref(self, *names: str, v: Any = None, version: Any = None) -> Any:
        key = ".".join(names)
        if v is not None or version is not None:
            key += f".v{v if v is not None else version}"
        return self._input("refs", key, f"dbt.ref({', '.join(map(repr, names))})")

    def source(self, source_name: str, table_name: str) -> Any:
        return self._input("sources", f"{source_name}.{table_name}", f"dbt.source({source_name!r}, {table_name!r})")

    def _input(self, kind: str, key: str, call: str) -> Any:
        spec = self._job[kind].get(key)
        if spec is None:
            raise LookupError(f"{call} was not declared: the parse found no such call with literal arguments")
        return self._load(spec)


def _session(job: dict[str, Any], folder: Path):
    """An in-memory DuckDB holding every input under its warehouse name, or None without duckdb."""
    try:
        import duckdb
    except ImportError:
        return None, lambda spec: ArrowRelation(spec["relation"], _read(folder / spec["file"]))
    con = duckdb.connect()
    attached = {"memory"}
    inputs = [*job["refs"].values(), *job["sources"].values()]
    if job["this"].get("file"):
        inputs.append(job["this"])
    for spec in inputs:
        database, schema = spec.get("database"), spec.get("schema")
        if database and database not in attached:
            con.execute(f"attach ':memory:' as {_quote(database)}")
            attached.add(database)
        if schema:
            con.execute(f"create schema if not exists {'.'.join(_quote(p) for p in (database, schema) if p)}")
        table = _read(folder / spec["file"])
        con.register("__fusion_input", table)
        con.execute(f"create table if not exists {spec['relation']} as select * from __fusion_input")
        con.unregister("__fusion_input")
    return con, lambda spec: con.sql(f"select * from {spec['relation']}")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _read(path: Path) -> pa.Table:
    with pa.memory_map(str(path)) as source:
        return ipc.open_file(source).read_all()


def to_arrow(result: Any) -> pa.Table:
    """The model's return value as an Arrow table with plain string/binary types."""
    if isinstance(result, pa.RecordBatchReader):
        result = result.read_all()
    elif isinstance(result, pa.RecordBatch):
        result = pa.Table.from_batches([result])
    elif isinstance(result, ArrowRelation):
        result = result.to_arrow_table()
    elif type(result).__module__.startswith("pandas"):
        result = pa.Table.from_pandas(result, preserve_index=False)
    elif type(result).__module__.startswith("polars"):
        result = (result.collect() if hasattr(result, "collect") else result).to_arrow()
    elif type(result).__module__.startswith("duckdb") and hasattr(result, "arrow"):
        result = result.arrow()
        result = result.read_all() if isinstance(result, pa.RecordBatchReader) else result
    if not isinstance(result, pa.Table):
        raise TypeError(f"model() returned {type(result).__name__}: return a pyarrow Table, a pandas or polars "
                        "DataFrame, or a DuckDB relation")
    return result.cast(pa.schema([f.with_type(_plain(f.type)) for f in result.schema]))


def _plain(kind: pa.DataType) -> pa.DataType:
    """Types every warehouse's ingest knows: large/view strings and binaries, dictionaries decoded."""
    if pa.types.is_dictionary(kind):
        return _plain(kind.value_type)
    if pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return pa.string()
    if pa.types.is_large_binary(kind) or pa.types.is_binary_view(kind):
        return pa.binary()
    return kind


def run(folder: Path) -> None:
    job = json.loads((folder / "job.json").read_text(encoding="utf-8"))
    model_path = job["model_path"]
    code = compile((folder / "model.py").read_text(encoding="utf-8"), model_path, "exec")
    module: dict[str, Any] = {"__name__": "dbt_python_model", "__file__": model_path}
    exec(code, module)  # noqa: S102 - running the user's model is this process's purpose
    session, load = _session(job, folder)
    table = to_arrow(module["model"](Dbt(job, load), session))
    with pa.OSFile(str(folder / "result.arrow"), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def main() -> int:
    folder = Path(sys.argv[1])
    try:
        run(folder)
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent as data
        model_path = json.loads((folder / "job.json").read_text(encoding="utf-8"))["model_path"]
        lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == model_path]
        (folder / "error.json").write_text(json.dumps({
            "type": type(exc).__name__, "message": str(exc), "line": lines[-1] if lines else None,
            "traceback": "".join(traceback.format_exception(exc)),
        }), encoding="utf-8")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
