-- What a frozen year would look like if it were computed now: one row per value that differs
-- between the stored (frozen) rows and this run's computed rows, plus one row per row found on one
-- side only, each with the likely reason (inbox files or rulebook files changed since the freeze).
{%- set result_tables = [
    ('college_scores', ['period', 'college_code'], 'college_code'),
    ('branch_scores', ['period', 'branch_code'], 'branch_code'),
    ('college_indicators', ['period', 'org_code', 'indicator'], 'org_code'),
    ('branch_indicators', ['period', 'org_code', 'indicator'], 'org_code'),
    ('weak_branches', ['year', 'branch_code', 'flag'], 'branch_code'),
    ('problems', ['problem_id'], 'org_code'),
] %}
with manifests as (
    select * from {{ ref('int_frozen_manifests_loaded') }}
),

frozen_tables as (
    select manifests.year, frozen.frozen_table.table_name
    from manifests, unnest(manifests.tables) as frozen(frozen_table)
),

frozen_rows as (
    {%- for table_name, key_columns, org_column in result_tables %}
    {{ frozen_diff_rows(ref('int_' ~ table_name ~ '_frozen'), table_name, key_columns, org_column) }}
    {{- "    union all" if not loop.last }}
    {%- endfor %}
),

current_rows as (
    {%- for table_name, key_columns, org_column in result_tables %}
    {{ frozen_diff_rows(ref('int_' ~ table_name ~ '_computed'), table_name, key_columns, org_column) }}
    {{- "    union all" if not loop.last }}
    {%- endfor %}
),

-- one value per column that is not part of the key (columns present on both sides only: a column
-- added to a model after the freeze is not a change of the frozen results)
frozen_values as (
    select frozen_rows.* exclude (key_columns, row_json), fields.column_name,
        json_extract_string(frozen_rows.row_json, fields.column_name) as value
    from frozen_rows, unnest(json_keys(frozen_rows.row_json)) as fields(column_name)
    where not list_contains(frozen_rows.key_columns, fields.column_name)
),

current_values as (
    select current_rows.table_name, current_rows.row_key, fields.column_name,
        json_extract_string(current_rows.row_json, fields.column_name) as value
    from current_rows, unnest(json_keys(current_rows.row_json)) as fields(column_name)
    where not list_contains(current_rows.key_columns, fields.column_name)
),

differences as (
    select
        frozen_values.table_name, frozen_values.year, frozen_values.period, frozen_values.org_code,
        frozen_values.row_key, frozen_values.column_name,
        '值已变化' as change,
        frozen_values.value as frozen_value,
        current_values.value as current_value
    from frozen_values
    inner join current_values
        on current_values.table_name = frozen_values.table_name
        and current_values.row_key = frozen_values.row_key
        and current_values.column_name = frozen_values.column_name
    where frozen_values.value is distinct from current_values.value

    union all

    select
        frozen_rows.table_name, frozen_rows.year, frozen_rows.period, frozen_rows.org_code,
        frozen_rows.row_key, null, '行已删除', cast(frozen_rows.row_json as varchar), null
    from frozen_rows
    where not exists (
        select 1 from current_rows
        where current_rows.table_name = frozen_rows.table_name and current_rows.row_key = frozen_rows.row_key
    )

    union all

    select
        current_rows.table_name, current_rows.year, current_rows.period, current_rows.org_code,
        current_rows.row_key, null, '新增行', null, cast(current_rows.row_json as varchar)
    from current_rows
    where not exists (
        select 1 from frozen_rows
        where frozen_rows.table_name = current_rows.table_name and frozen_rows.row_key = current_rows.row_key
    )
),

---------- why: the year's inbox files and the rulebook files, then and now

frozen_files as (
    select manifests.year, recorded.source_file.source_file, recorded.source_file.file_hash
    from manifests, unnest(manifests.source_files) as recorded(source_file)
),

current_files as (
    select source_file, file_hash, years from {{ ref('int_source_files_summarized') }}
),

new_files as (
    select year_files.year, string_agg(year_files.source_file, '、' order by year_files.source_file) as files
    from (select source_file, unnest(years) as year from current_files) as year_files
    inner join manifests
        on manifests.year = year_files.year
    where not exists (
        select 1 from frozen_files
        where frozen_files.year = year_files.year and frozen_files.source_file = year_files.source_file
    )
    group by all
),

changed_files as (
    select frozen_files.year, string_agg(frozen_files.source_file, '、' order by frozen_files.source_file) as files
    from frozen_files
    inner join current_files
        on current_files.source_file = frozen_files.source_file
    where current_files.file_hash is distinct from frozen_files.file_hash
    group by all
),

removed_files as (
    select frozen_files.year, string_agg(frozen_files.source_file, '、' order by frozen_files.source_file) as files
    from frozen_files
    where not exists (select 1 from current_files where current_files.source_file = frozen_files.source_file)
    group by all
),

frozen_rulebook as (
    select manifests.year, recorded.rulebook_file.file_name, recorded.rulebook_file.content_hash
    from manifests, unnest(manifests.rulebook_files) as recorded(rulebook_file)
),

-- compared only for years whose manifest recorded the rulebook
rulebook_then_and_now as (
    select
        coalesce(frozen_years.year, frozen_rulebook.year) as year,
        coalesce(frozen_rulebook.file_name, rulebook.file_name) as file_name,
        frozen_rulebook.content_hash as frozen_hash,
        rulebook.content_hash as current_hash
    from (select distinct year from frozen_rulebook) as frozen_years
    cross join {{ ref('int_rulebook_files_hashed') }} as rulebook
    full outer join frozen_rulebook
        on frozen_rulebook.year = frozen_years.year
        and frozen_rulebook.file_name = rulebook.file_name
),

changed_rulebook as (
    select year, string_agg(file_name, '、' order by file_name) as files
    from rulebook_then_and_now
    where frozen_hash is distinct from current_hash
    group by all
),

reasons as (
    select
        manifests.year,
        coalesce(
            nullif(concat_ws('；',
                '冻结后收到新文件：' || new_files.files,
                '冻结后文件已更改：' || changed_files.files,
                '冻结后文件已删除：' || removed_files.files,
                '规则表已修改：' || changed_rulebook.files
            ), ''),
            '冻结后本年度的收件箱文件和规则表都没有变化（可能是计算方法更新，或上一年度的结果变化影响了名次变化）'
        ) as reason
    from manifests
    left join new_files on new_files.year = manifests.year
    left join changed_files on changed_files.year = manifests.year
    left join removed_files on removed_files.year = manifests.year
    left join changed_rulebook on changed_rulebook.year = manifests.year
)

select
    cast(differences.year as integer) as year,
    differences.table_name,
    differences.period,
    differences.org_code,
    -- the 二级党组织 of the row, so that a college's login sees only its own differences
    orgs.college_code,
    differences.row_key,
    differences.column_name,
    differences.change,
    differences.frozen_value,
    differences.current_value,
    reasons.reason
from differences
left join reasons
    on reasons.year = differences.year
left join {{ ref('int_orgs_placed') }} as orgs
    on orgs.year = differences.year and orgs.org_code = differences.org_code
