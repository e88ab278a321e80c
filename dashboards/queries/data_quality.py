"""The SQL of the page dashboards/pages/data_quality.py (run with dashboards.queries.query)."""

# BIGINT casts: a HUGEINT sum or DECIMAL would reach the chart at the wrong scale.
SUMMARY_SQL = """
select source_file, kinds,
       rows_read::BIGINT     as rows_read,
       rows_loaded::BIGINT   as rows_loaded,
       rows_rejected::BIGINT as rows_rejected,
       loaded_at, problem
from marts.load_summary
order by loaded_at desc nulls last, source_file
"""

TOTALS_SQL = """
select count(*)::BIGINT                        as files,
       coalesce(sum(rows_read), 0)::BIGINT     as rows_read,
       coalesce(sum(rows_loaded), 0)::BIGINT   as rows_loaded,
       coalesce(sum(rows_rejected), 0)::BIGINT as rows_rejected,
       count(problem)::BIGINT                  as unreadable,
       max(loaded_at)                          as last_loaded_at
from marts.load_summary
"""

REJECT_FILES_SQL = "select distinct source_file from marts.rejects order by source_file"

OPTIONAL_REJECT_COLUMNS = ("kind", "check_stage", "row_values")  # older snapshots may lack them


def rejects_sql(present: list[str]) -> str:
    optional = ", ".join(c if c in present else f"null::VARCHAR as {c}" for c in OPTIONAL_REJECT_COLUMNS)
    return f"""
    select source_file, sheet, row_number::BIGINT as row_number, column_name, raw_value, reason,
           {optional}, loaded_at
    from marts.rejects
    where ?::VARCHAR is null or source_file = ?::VARCHAR
    order by source_file, row_number is not null, sheet nulls first, row_number,
             column_name nulls first, reason
    """


# By college and period: every submission (数据报送, dangjian submit, or a file dropped into the inbox)
# with the college it was for and the years/months it covers.
SUBMISSIONS_SQL = """
select coalesce(college_code, '') as college_code, periods, user_name, submitted_at, original_name,
       rows_read::BIGINT as rows_read, rows_loaded::BIGINT as rows_loaded,
       rows_rejected::BIGINT as rows_rejected, status, problem
from marts.submissions
order by college_code nulls last, submitted_at desc
"""
