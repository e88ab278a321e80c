-- The submissions log (archive/submissions.jsonl as the last run read it): one row per file submitted
-- through the 数据报送 page or `dangjian submit`, refused ones included.
select
    submission_id,
    submitted_at,
    user_name,
    role,
    college_code,
    original_name,
    nullif(file_hash, '') as file_hash,
    nullif(stored_name, '') as stored_name,
    kinds,
    periods,
    rows_read,
    rows_ok,
    rows_rejected,
    refused
from {{ source('inbox', 'submissions') }}
