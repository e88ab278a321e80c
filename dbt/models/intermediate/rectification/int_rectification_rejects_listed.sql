-- The 整改台账 rows whose 问题编号 the problems do not know, as rejects (the columns of
-- stg_inbox__rejects; check_stage 'problem': against the 问题清单), so they reach the reject list and
-- the file's counts like any other.
select
    source_file,
    source_sheet as sheet,
    source_row as row_number,
    '问题编号' as column_name,
    problem_id as raw_value,
    reject_reason as reason,
    'rectifications' as kind,
    cast(to_json(map_from_entries([
        struct_pack(key := '年度', value := cast(year as varchar)),
        struct_pack(key := '问题编号', value := problem_id),
        struct_pack(key := '组织编码', value := org_code),
        struct_pack(key := '问题描述', value := description),
        struct_pack(key := '整改措施', value := measure),
        struct_pack(key := '整改状态', value := status)
    ])) as varchar) as row_values,
    'problem' as check_stage,
    file_hash,
    loaded_at
from {{ ref('int_rectification_rows_checked') }}
where reject_reason is not null
