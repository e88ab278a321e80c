-- Every submission and what became of it, and every file that reached the inbox without one (the
-- 组织部 dropped it in: submitted by 组织部（收件箱） when it was first loaded).
-- status: 已退回 the file was refused, or none of its rows loaded; 已入库 some rows loaded;
-- 已更正 a later submission of the same college, kinds and periods replaced it in the inbox;
-- 已提交 not loaded yet (the next run will).
with logged as (
    select * from {{ ref('stg_inbox__submissions') }}
),

files as (
    select * from {{ ref('int_source_files_summarized') }}
),

from_log as (
    select
        logged.submission_id,
        logged.submitted_at,
        logged.user_name,
        logged.role,
        logged.college_code,
        logged.original_name,
        logged.file_hash,
        logged.stored_name,
        coalesce(files.kinds, logged.kinds) as kinds,
        logged.periods,
        coalesce(files.rows_read, logged.rows_read) as rows_read,
        coalesce(files.rows_loaded, logged.rows_ok) as rows_loaded,
        coalesce(files.rows_rejected, logged.rows_rejected) as rows_rejected,
        coalesce(logged.refused, files.problem) as problem,
        files.loaded_at,
        case
            when logged.refused is not null then '已退回'
            when files.source_file is not null and files.rows_loaded > 0 then '已入库'
            when files.source_file is not null then '已退回'
            when exists (
                select 1 from logged as later
                where later.refused is null
                    and later.submitted_at > logged.submitted_at
                    and later.college_code is not distinct from logged.college_code
                    and later.kinds = logged.kinds
                    and later.periods = logged.periods
            ) then '已更正'
            else '已提交'
        end as status
    from logged
    left join files
        on files.source_file = logged.stored_name
),

dropped as (
    select
        'inbox:' || left(files.file_hash, 12) || ':' || files.source_file as submission_id,
        files.loaded_at as submitted_at,
        '组织部（收件箱）' as user_name,
        'org' as role,
        cast(null as varchar) as college_code,
        files.source_file as original_name,
        files.file_hash,
        files.source_file as stored_name,
        files.kinds,
        array_to_string(files.years, ',') as periods,
        files.rows_read,
        files.rows_loaded,
        files.rows_rejected,
        files.problem,
        files.loaded_at,
        case when files.rows_loaded > 0 then '已入库' else '已退回' end as status
    from files
    where files.file_hash is not null
        and not exists (select 1 from logged where logged.stored_name = files.source_file)
)

select * from from_log
union all
select * from dropped
