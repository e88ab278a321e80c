-- Published: the rulebook CSVs and their content hashes (its columns and types are the contract in rulebook_files.yml).
select * from {{ ref('int_rulebook_files_hashed') }}
