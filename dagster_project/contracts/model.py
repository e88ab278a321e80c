"""What a sheet kind declares: its columns, the rules a row must keep, the columns the reader adds, and
the codes of other sheets its rows refer to. Declarations only: the reader (dagster_project/ingest)
turns them into polars expressions and SQL, the templates into notes and dropdowns, the dbt source
docs into descriptions.

Canonical column names are ASCII snake_case so that nothing past `raw` needs quoted Chinese
identifiers; the Chinese header is what users see.
"""

from dataclasses import dataclass, field

# What a cell may hold. str and code are text (a code is compared after NFKC: full-width digits are
# digits); int, float, date, month and bool are typed; idcard is a 公民身份证号码 (checked against GB
# 11643, kept only in schema raw); deadline is a 完成时限 (a date or words, read against a year).
COLUMN_TYPES = ("str", "code", "int", "float", "date", "month", "bool", "deadline", "idcard")


@dataclass(frozen=True)
class Column:
    name: str
    header: str
    type: str = "str"
    required: bool = False
    aliases: tuple[str, ...] = ()
    allowed: tuple[str, ...] | None = None
    min_value: float | None = None
    max_value: float | None = None
    min_exclusive: bool = False
    note: str = ""
    # Headers under which users give a name instead of the code; the name is kept in
    # `<name>_name` and resolved to the code against 组织架构 once every file is read.
    name_headers: tuple[str, ...] = ()
    # What a blank cell loads as (the template's note says so too).
    default: str | None = None
    # deadline columns: the column whose year a deadline written without one falls in.
    year_from: str | None = None

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)

    @property
    def name_column(self) -> str:
        return f"{self.name}_name"

    @property
    def range_text(self) -> str:
        """The allowed range in words ("大于0、不大于200"), or "" when the column has none."""
        parts = []
        if self.min_value is not None:
            parts.append(f"{'大于' if self.min_exclusive else '不小于'}{self.min_value:g}")
        if self.max_value is not None:
            parts.append(f"不大于{self.max_value:g}")
        return "、".join(parts)


@dataclass(frozen=True)
class RowRule:
    """A row is rejected when its typed `column` is `op` ("<" or ">") the typed `other` (plus `years`,
    for dates); a blank in either passes. With op "required_if", `column` is blank while `other` is
    filled (with one of `values`, when given); with "required_unless", both are blank. The reject
    names `column` and gives `reason`."""

    column: str
    op: str
    other: str
    reason: str
    years: int = 0
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Derived:
    """A column the reader adds to each loaded row, read from `source`: `value` is "text" (the cell as
    written, trimmed) or "ongoing" (a deadline column: the task goes on, 长期坚持 …). `doc` is its
    description in the raw source docs."""

    name: str
    source: str
    value: str
    type: str
    doc: str


@dataclass(frozen=True)
class CodeSet:
    """Codes a sheet kind defines for a year, that other sheets refer to: `column` of `kind`'s rows
    (only those whose `only[0]` is one of `only[1]`). `label` names it in a reject's reason."""

    kind: str
    column: str
    label: str
    only: tuple[str, tuple[str, ...]] | None = None


@dataclass(frozen=True)
class Reference:
    """`column` must be a code of the code set `target` (contracts.CODE_SETS) of the row's own
    assessment year: the year `year_from` holds (an int column) or falls in (a date or month)."""

    column: str
    target: str
    year_from: str


@dataclass(frozen=True)
class SheetKind:
    kind: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = field(default=())
    note: str = ""
    row_rules: tuple[RowRule, ...] = ()
    derived: tuple[Derived, ...] = ()
    references: tuple[Reference, ...] = ()
    # Kept for the 组织部: a college login's file carrying this kind is refused whole (报送).
    org_only: bool = False

    def __post_init__(self) -> None:
        # a misspelt column name would make a rule that never fires: refuse it when the kind is declared
        names = {c.name for c in self.columns}
        used = [*self.key, *(r.column for r in self.row_rules), *(r.other for r in self.row_rules)]
        used += [d.source for d in self.derived] + [r.column for r in self.references]
        used += [r.year_from for r in self.references] + [c.year_from for c in self.columns if c.year_from]
        unknown = sorted(set(used) - names)
        if unknown:
            raise ValueError(f"sheet kind {self.kind}: unknown columns {unknown}")
        for c in self.columns:
            if c.type not in COLUMN_TYPES:
                raise ValueError(f"sheet kind {self.kind}: column {c.name} has unknown type {c.type}")
            if c.type == "deadline" and c.year_from is None:
                raise ValueError(f"sheet kind {self.kind}: deadline column {c.name} needs year_from")
        for rule in self.row_rules:
            if rule.op not in ("<", ">", "required_if", "required_unless"):
                raise ValueError(f"sheet kind {self.kind}: row rule on {rule.column} has op {rule.op}")

    @property
    def table(self) -> str:
        return self.kind

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def named(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.name_headers)

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)
