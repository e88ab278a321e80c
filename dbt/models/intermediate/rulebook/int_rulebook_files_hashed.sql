-- The rulebook as files: one row per seeds/*.csv with a hash of its content, so that a frozen year
-- can tell later whether a rule it was scored by has been edited since (frozen_diff).
select
    parse_filename(filename) as file_name,
    sha256(content) as content_hash
from read_text('{{ var("rulebook_files") }}')
