"""``adapter`` in templates, derived from the adapter's class.

Its members are the adapter's ``@available`` methods and the few below that need the render
(dispatch, macros, result tables). The sandbox shows a template nothing else of it
(``template_attributes``): not the adapter, its connections or credentials. While parsing
(``execute`` false) a member whose ``@available`` declares a parse-time value returns it instead
of running, so nothing reaches the warehouse.
"""

from __future__ import annotations

import copy
import functools
from typing import Any, ClassVar

from fusion.available import RUNS, Available, available, available_methods
from fusion.errors import CompilationError
from fusion.jinja.table import ResultTable


class TemplateAdapter:
    """What every template ``adapter`` has besides its adapter's ``@available`` methods."""

    template_attributes: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, runtime: Any, namespace: Any, execute: bool):
        self._runtime = runtime
        self._adapter = runtime.adapter
        self._namespace = namespace
        self._execute = execute

    @available
    def dispatch(self, macro_name: str, macro_namespace: str | None = None, packages: Any = None) -> Any:
        return self._runtime.dispatch_macro(self._namespace, macro_name, macro_namespace)

    @available
    def type(self) -> str:
        return str(self._adapter.type_name)

    @available(parsing=(None, None))
    def execute(self, sql: str, auto_begin: bool = False, fetch: bool = False, limit: Any = None) -> Any:
        response, table = self._adapter.execute(sql, fetch=fetch)
        return response, (ResultTable(table) if table is not None else None)

    @available
    def commit(self) -> str:
        return ""  # statements commit through the materialization's transaction

    @available(parsing=False)
    def check_schema_exists(self, database: str | None, schema: str) -> bool:
        """Through the ``check_schema_exists`` macro, as dbt does."""
        information_schema = self._adapter.relation(database, None, None).information_schema()
        table = self._namespace["check_schema_exists"](information_schema, schema)
        return bool(table.rows[0][0])

    @available
    def truncate_relation(self, relation: Any) -> str:
        """Through the ``truncate_relation`` macro, as dbt does."""
        self._namespace["truncate_relation"](relation)
        return ""

    @available(parsing=[])
    def get_column_schema_from_query(self, sql: str, sql_header: str | None = None) -> list[Any]:
        """The columns (names and database types) a query returns."""
        return list(self._adapter.columns_of_query(sql, self._namespace["this"], header=sql_header))

    @available
    def get_incremental_strategy_macro(self, context: Any, strategy: str) -> Any:
        name = f"get_incremental_{strategy.replace('+', '_')}_sql"
        found = self._namespace.get(name)
        if found is None:
            raise CompilationError(f"there is no macro {name} for the incremental strategy {strategy!r}")
        return found

    @available
    def convert_type(self, agate_table: Any, col_idx: int) -> str:
        """The SQL type a seed column gets (what Fusion infers from the CSV)."""
        from fusion.seed_csv import kind_of

        return str(self._adapter.seed_types[kind_of(agate_table.column_types[col_idx])])

    @available
    def render_raw_columns_constraints(self, raw_columns: Any) -> list[str]:
        from fusion.contract_sql import render_columns

        return render_columns(self._adapter, list((raw_columns or {}).values()), with_constraints=True)

    @available
    def render_raw_model_constraints(self, raw_constraints: Any) -> list[str]:
        from fusion.contract_sql import render_model_constraints

        return render_model_constraints(self._adapter, raw_constraints)


def template_adapter(runtime: Any, namespace: Any, execute: bool) -> TemplateAdapter:
    """The ``adapter`` of one render."""
    return template_adapter_class(type(runtime.adapter))(runtime, namespace, execute)


@functools.cache
def template_adapter_class(adapter_class: type) -> type[TemplateAdapter]:
    """``TemplateAdapter`` with a member per ``@available`` method of ``adapter_class``."""
    own = available_methods(TemplateAdapter)
    members: dict[str, Any] = {name: _member(name, spec, on_adapter=False) for name, spec in own.items()}
    members.update({name: _member(name, spec, on_adapter=True)
                    for name, spec in available_methods(adapter_class).items() if name not in own})
    return type(f"Template{adapter_class.__name__}", (TemplateAdapter,),
                {**members, "template_attributes": frozenset(members)})


def _member(name: str, spec: Available, *, on_adapter: bool) -> Any:
    method = None if on_adapter else getattr(TemplateAdapter, spec.attribute)

    def member(self: TemplateAdapter, *args: Any, **kwargs: Any) -> Any:
        if not self._execute and spec.parsing is not RUNS:
            return copy.copy(spec.parsing)
        if on_adapter:
            return getattr(self._adapter, spec.attribute)(*args, **kwargs)
        return method(self, *args, **kwargs)

    member.__name__ = name
    return member


def render_macro(runtime: Any, name: str, *args: Any) -> Any:
    """Call a macro at execute time outside any node (the adapter's catalog queries): what it
    renders, or returns."""
    from fusion.jinja.context import RenderNamespace

    namespace = RenderNamespace(runtime, runtime.project_name, runtime.base_members(True))
    namespace["adapter"] = template_adapter(runtime, namespace, True)
    return namespace[name](*args)
