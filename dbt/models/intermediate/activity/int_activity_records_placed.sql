-- Every 组织生活 row behind an indicator, with the file and Excel row it came from.
select
    activities.year,
    activities.org_code,
    orgs.org_name,
    orgs.college_code,
    activities.activity_type,
    activities.held_on,
    activities.expected,
    activities.attended,
    activities.topic,
    activities.speaker_key,
    activities.speaker_key is not null and activities.speaker_key = orgs.secretary_key as by_secretary,
    -- given by the secretary of the org's 二级党组织 (counts in the college's 书记讲党课 wherever given)
    activities.speaker_key is not null and activities.speaker_key = colleges.secretary_key as by_college_secretary,
    activities.source_file,
    activities.source_sheet,
    activities.source_row
from {{ ref('stg_inbox__activities') }} as activities
left join {{ ref('int_orgs_placed') }} as orgs
    on orgs.year = activities.year
    and orgs.org_code = activities.org_code
left join {{ ref('int_orgs_placed') }} as colleges
    on colleges.year = orgs.year
    and colleges.org_code = orgs.college_code
