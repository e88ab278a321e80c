-- 五个到位 indicators per college per period (all but rectification_rate: int_college_indicators_computed): value against target, score 0–100.
-- An indicator without a target (no tasks due, no 教工 branch, no 支出, no checklist, …) is left
-- out, as are year-end-only indicators before Q4; dimension scores average what is present.
with college_periods as (
    select * from {{ ref('int_college_periods_measured') }}
),

adjustments as (
    select * from {{ ref('int_college_adjustments_summed') }}
),

activities as (
    select * from {{ ref('int_org_activities_counted') }}
),

tasks as (
    select * from {{ ref('int_tasks_flagged') }}
),

checklist as (
    select * from {{ ref('stg_inbox__checklist') }}
),

branch_periods as (
    select * from {{ ref('int_branch_periods_measured') }}
),

submission_periods as (
    select * from {{ ref('int_submission_periods_checked') }}
),

branch_scores as (
    select * from {{ ref('int_branch_scores_computed') }}
),

annual as (
    select
        max(annual_count) filter (where activity_type = '理论学习中心组') as annual_center_group_study,
        max(annual_count) filter (where activity_type = '党政联席会议') as annual_joint_meetings,
        max(annual_count) filter (where activity_type = '书记党课') as annual_secretary_lectures
    from {{ ref('rule_activity_targets') }}
    where scope = 'college'
),

params as (
    select
        max(value) filter (where parameter = 'organizer_per_people') as organizer_per_people,
        max(value) filter (where parameter = 'organizer_minimum') as organizer_minimum,
        max(value) filter (where parameter = 'other_spend_max_share') as other_spend_max_share,
        max(value) filter (where parameter = 'other_spend_penalty_per_point') as other_spend_penalty_per_point,
        max(value) filter (where parameter = 'checklist_questions') as checklist_questions,
        max(value) filter (where parameter = 'checklist_partial_credit') as checklist_partial_credit
    from {{ ref('rule_parameters') }}
),

held as (
    select
        period,
        org_code,
        coalesce(sum(held) filter (where activity_type = '理论学习中心组'), 0) as center_group_study,
        coalesce(sum(held) filter (where activity_type = '党政联席会议'), 0) as joint_meetings
    from activities
    group by all
),

-- 党课 the college secretary gave anywhere in the college: at the college itself or in any of its
-- branches (leaders lecture 到所在支部和基层联系点)
secretary_lectures as (
    select
        period,
        college_code,
        coalesce(sum(held_by_college_secretary) filter (where activity_type = '党课'), 0) as secretary_lectures
    from activities
    where college_code is not null
    group by all
),

-- party-org tasks only (a department's tasks have no college), weighted by 考核分值 (1 where none)
task_counts as (
    select
        period,
        college_code,
        sum(cast(weight as decimal(18, 4))) filter (where due_in_period) as tasks_due,
        sum(cast(weight as decimal(18, 4))) filter (where due_in_period and on_time) as tasks_due_on_time,
        sum(cast(weight as decimal(18, 4))) as tasks_all,
        sum(cast(weight as decimal(18, 4))) filter (where done_in_period) as tasks_done
    from tasks
    where owner_kind = '党组织'
    group by all
),

-- kind-periods of the year due by the period's end (not those due before the first file arrived:
-- 不适用), and those received by their due day
submission_counts as (
    select
        college_periods.period,
        college_periods.college_code,
        count(*) as submissions_due,
        count(*) filter (where submission_periods.status = '按时') as submissions_on_time
    from college_periods
    inner join submission_periods
        on submission_periods.college_code = college_periods.college_code
        and submission_periods.year = college_periods.year
        and submission_periods.due_on <= college_periods.period_end
    where submission_periods.status in ('按时', '逾期补报', '未报')
    group by all
),

checklist_points as (
    select
        checklist.year,
        checklist.org_code,
        -- 是 counts 1, 部分 counts rule_parameters.checklist_partial_credit (本系统默认（可修改）：0.5)
        count(*) filter (where checklist.answer = '是')
            + max(params.checklist_partial_credit) * count(*) filter (where checklist.answer = '部分') as points
    from checklist
    cross join params
    group by all
),

branch_counts as (
    select
        branch_periods.period,
        branch_periods.college_code,
        avg(cast(branch_scores.total as decimal(18, 2))) as branch_mean,
        count(*) as branches,
        -- 规范化 or above at the year end; every hard rule met so far before it
        count(*) filter (
            where case when branch_periods.is_year_end then branch_scores.tier is not null
                       else branch_scores.meets_hard_rules end
        ) as branches_standard,
        count(*) filter (where not branch_periods.election_overdue) as branches_elected_on_time,
        count(*) filter (where branch_periods.branch_category = '教工') as teacher_branches,
        count(*) filter (where branch_periods.branch_category = '教工' and branch_periods.secretary_dual_leader)
            as teacher_branches_dual_leader
    from branch_periods
    left join branch_scores
        on branch_scores.period = branch_periods.period
        and branch_scores.branch_code = branch_periods.branch_code
    group by all
),

measured as (
    select
        college_periods.*,
        coalesce(held.center_group_study, 0) as center_group_study,
        coalesce(held.joint_meetings, 0) as joint_meetings,
        coalesce(secretary_lectures.secretary_lectures, 0) as secretary_lectures,
        coalesce(adjustments.vetoed_orgs, 0) as vetoed_orgs,
        coalesce(task_counts.tasks_due, 0) as tasks_due,
        coalesce(task_counts.tasks_due_on_time, 0) as tasks_due_on_time,
        coalesce(task_counts.tasks_all, 0) as tasks_all,
        coalesce(task_counts.tasks_done, 0) as tasks_done,
        checklist_points.points as checklist_points,
        coalesce(submission_counts.submissions_due, 0) as submissions_due,
        coalesce(submission_counts.submissions_on_time, 0) as submissions_on_time,
        branch_counts.branch_mean,
        coalesce(branch_counts.branches, 0) as branches,
        coalesce(branch_counts.branches_standard, 0) as branches_standard,
        coalesce(branch_counts.branches_elected_on_time, 0) as branches_elected_on_time,
        coalesce(branch_counts.teacher_branches, 0) as teacher_branches,
        coalesce(branch_counts.teacher_branches_dual_leader, 0) as teacher_branches_dual_leader,
        development.entered_people,
        development.entered_clean,
        annual.*,
        params.*
    from college_periods
    cross join annual
    cross join params
    left join held
        on held.period = college_periods.period
        and held.org_code = college_periods.college_code
    left join secretary_lectures
        on secretary_lectures.period = college_periods.period
        and secretary_lectures.college_code = college_periods.college_code
    left join adjustments
        on adjustments.year = college_periods.year
        and adjustments.college_code = college_periods.college_code
    left join task_counts
        on task_counts.period = college_periods.period
        and task_counts.college_code = college_periods.college_code
    left join submission_counts
        on submission_counts.period = college_periods.period
        and submission_counts.college_code = college_periods.college_code
    left join checklist_points
        on checklist_points.year = college_periods.year
        and checklist_points.org_code = college_periods.college_code
    left join branch_counts
        on branch_counts.period = college_periods.period
        and branch_counts.college_code = college_periods.college_code
    left join (
        select period, college_code, sum(entered_people) as entered_people, sum(entered_clean) as entered_clean
        from {{ ref('int_development_compliance_measured') }}
        group by all
    ) as development
        on development.period = college_periods.period
        and development.college_code = college_periods.college_code
),

{#- The indicators of 五个到位, one per rulebook row (seeds/rule_indicators.csv, level college):
    (indicator, value, target, score). An indicator without a score (no tasks due, no 教工 branch,
    no 支出, no checklist, no members, …) is left out. -#}
{%- set indicators = [] %}
{# C1 政治引领到位 #}
{%- do indicators.append(('center_group_study', 'center_group_study', 'annual_center_group_study * months / 12.0',
        ratio_score('center_group_study', '(annual_center_group_study * months / 12.0)'))) %}
{%- do indicators.append(('joint_meetings', 'joint_meetings', 'annual_joint_meetings * months / 12.0',
        ratio_score('joint_meetings', '(annual_joint_meetings * months / 12.0)'))) %}
{# value: orgs of the college under 一票否决 this year; none allowed #}
{%- do indicators.append(('no_veto', 'vetoed_orgs', '0', 'case when vetoed_orgs = 0 then 100.0 else 0.0 end')) %}
{# C2 责任落实到位 #}
{%- do indicators.append(('tasks_on_time', 'tasks_due_on_time', 'tasks_due', share_score('tasks_due_on_time', 'tasks_due'))) %}
{%- do indicators.append(('tasks_done', 'tasks_done', 'tasks_all', share_score('tasks_done', 'tasks_all'))) %}
{# no self-check submitted: left out (the target is only set when answers exist) #}
{%- do indicators.append(('checklist', 'checklist_points', 'case when checklist_points is not null then checklist_questions end',
        ratio_score('checklist_points', '(case when checklist_points is not null then checklist_questions end)'))) %}
{# left out where nothing was due (a backfilled year: every period 不适用) #}
{%- do indicators.append(('submissions_on_time', 'submissions_on_time', 'submissions_due',
        share_score('submissions_on_time', 'submissions_due'))) %}
{# C3 思想政治工作到位 #}
{%- do indicators.append(('training_compliance', 'members_met', 'member_count', share_score('members_met', 'member_count'))) %}
{%- do indicators.append(('leader_training', 'leaders_met', 'leader_count', share_score('leaders_met', 'leader_count'))) %}
{%- do indicators.append(('secretary_lectures', 'secretary_lectures', 'annual_secretary_lectures * months / 12.0',
        ratio_score('secretary_lectures', '(annual_secretary_lectures * months / 12.0)'))) %}
{# C4 党支部建设到位; the mean of the branches' totals is itself the score: no target #}
{%- do indicators.append(('branch_mean', 'branch_mean', 'null', 'branch_mean')) %}
{%- do indicators.append(('branches_standard', 'branches_standard', 'branches', share_score('branches_standard', 'branches'))) %}
{%- do indicators.append(('elections_on_time', 'branches_elected_on_time', 'branches', share_score('branches_elected_on_time', 'branches'))) %}
{%- do indicators.append(('development_compliance', 'entered_clean', 'entered_people',
        share_score('entered_clean', 'entered_people'))) %}
{%- do indicators.append(('dual_leader_coverage', 'teacher_branches_dual_leader', 'teacher_branches',
        share_score('teacher_branches_dual_leader', 'teacher_branches'))) %}
{# C5 队伍与保障到位; required 专职组织员: max(minimum, ceil(师生数 / people per organizer)); not
   filled in counts as none #}
{%- set required_organizers =
    'greatest(organizer_minimum, ceil((coalesce(staff_count, 0) + coalesce(student_count, 0)) / organizer_per_people))' %}
{%- do indicators.append(('organizers', 'coalesce(organizer_count, 0)', required_organizers,
        ratio_score('coalesce(organizer_count, 0)', required_organizers))) %}
{%- do indicators.append(('funding_adequacy', 'allocated', 'annual_funding_standard * months / 12.0',
        ratio_score('allocated', '(annual_funding_standard * months / 12.0)'))) %}
{# value: 其它 as a percentage of 支出; target: the largest share without penalty, in percent #}
{%- do indicators.append(('other_spend_share', 'case when spent > 0 then 100.0 * spent_other / spent end', '100.0 * other_spend_max_share',
        'case when spent > 0 then greatest(0.0, 100.0 - other_spend_penalty_per_point * greatest('
        ~ '0.0, 100.0 * spent_other / spent - 100.0 * other_spend_max_share)) end')) %}

{#- rectification_rate is computed from last year's problems, which read these rows: it is added in
    int_college_indicators_computed, after them -#}
indicator_values as (
    {{- indicator_values('college', 'measured', indicators, 'score', elsewhere=['rectification_rate']) }}
),

{{ published_indicators('indicator_values', 'college', 'college_code') }}
