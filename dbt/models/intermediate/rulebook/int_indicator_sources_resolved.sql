-- Where the rows behind each indicator are, as data: the rulebook names a published table (or the
-- unpublished sheet), whose rows (the org's own, or the whole college's) and which filter
-- (rule_indicators.detail_*); this model adds what each table needs to be cut to one org and one
-- period, so that a page lists the rows behind any indicator with one generic query:
--   select * from marts.<detail_table>
--   where <org_column> = ? and <year_column> = ?
--     [and <period_column> = ?] [and (<date_column> is null or <date_column> <= period end)]
--     [and <filter_column> in (<filter_values>)] [and <flag_column>]
with indicators as (
    select * from {{ ref('rule_indicators') }}
),

dimensions as (
    select level, dimension, dimension_name from {{ ref('rule_dimensions') }}
),

-- the tables (and unpublished sheets) the rulebook may name: own_column is the column that holds
-- the org itself (a branch's members carry branch_code); period_column / date_column cut a period;
-- year_column is the year the rows count in (last year's problems count in this year's C2)
detail_tables (detail_table, is_published, source_sheet, own_column, period_column, date_column, year_column) as (
    values
        ('activity_records', true, '组织生活台账', 'org_code', null, 'held_on', 'year'),
        ('member_training', true, '党员花名册、学习培训台账', 'branch_code', 'period', null, 'year'),
        ('training_records', true, '学习培训台账', 'branch_code', null, 'started_on', 'year'),
        ('funding_records', true, '经费台账', 'org_code', null, 'booked_on', 'year'),
        ('tasks', true, '任务清单', 'org_code', 'period', null, 'year'),
        ('checklist_answers', true, '责任清单自查', 'org_code', null, null, 'year'),
        ('dim_org', true, '组织架构', 'org_code', null, null, 'year'),
        ('dim_member', true, '党员花名册', 'branch_code', null, 'joined_on', 'year'),
        ('rectifications', true, '问题清单、整改台账', 'org_code', null, null, 'scored_year'),
        ('development_records', true, '发展党员台账', 'branch_code', 'period', null, 'year'),
        ('submission_status', true, '报送进度', 'college_code', null, 'due_on', 'year'),
        ('dues', true, '党费台账', 'branch_code', null, 'month', 'year'),
        ('evaluations', false, '述职评议', null, null, null, null),
        ('adjustments', false, '加减分', null, null, null, null)
),

-- "activity_type=党课|主题党日;by_secretary": one condition on values, one on a yes/no column
conditions as (
    select
        level,
        indicator,
        list_filter(string_split(detail_filter, ';'), lambda condition: contains(condition, '='))[1] as value_condition,
        list_filter(string_split(detail_filter, ';'), lambda condition: not contains(condition, '='))[1] as flag_column
    from indicators
)

select
    indicators.level,
    indicators.dimension,
    dimensions.dimension_name,
    indicators.indicator,
    indicators.indicator_name,
    detail_tables.source_sheet,
    case when detail_tables.is_published then indicators.detail_table end as detail_table,
    case
        when not coalesce(detail_tables.is_published, false) then null
        when indicators.detail_scope = 'college' then 'college_code'
        else detail_tables.own_column
    end as org_column,
    case when detail_tables.is_published then detail_tables.period_column end as period_column,
    case when detail_tables.is_published then detail_tables.date_column end as date_column,
    case when detail_tables.is_published then detail_tables.year_column end as year_column,
    trim(split_part(conditions.value_condition, '=', 1)) as filter_column,
    case
        when conditions.value_condition is not null
            then list_transform(string_split(split_part(conditions.value_condition, '=', 2), '|'), lambda v: trim(v))
    end as filter_values,
    trim(conditions.flag_column) as flag_column,
    case
        when not coalesce(detail_tables.is_published, false)
            then detail_tables.source_sheet || '的明细没有发布到看板快照；计分方法：' || indicators.method
        else concat_ws('',
            detail_tables.source_sheet, '（marts.', indicators.detail_table, '）中',
            case when indicators.detail_scope = 'college' then '学院及其下属全部组织' else '该组织本身' end,
            case
                when detail_tables.period_column is not null then '本考核期'
                when detail_tables.date_column is not null then '本年1月1日至期末'
                when detail_tables.year_column = 'scored_year' then '上一年度'
                else '本年'
            end,
            '的行',
            case
                when conditions.value_condition is not null
                    then '，' || replace(replace(conditions.value_condition, '=', ' 为 '), '|', '、')
            end,
            case when conditions.flag_column is not null then '，' || trim(conditions.flag_column) || ' 为是' end,
            '；计分方法：', indicators.method
        )
    end as description
from indicators
-- a table the list above does not know leaves source_sheet empty: a test on indicator_sources fails
left join detail_tables
    on detail_tables.detail_table = indicators.detail_table
left join dimensions
    on dimensions.level = indicators.level
    and dimensions.dimension = indicators.dimension
left join conditions
    on conditions.level = indicators.level
    and conditions.indicator = indicators.indicator
