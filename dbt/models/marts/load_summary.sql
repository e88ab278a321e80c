-- Published: rows read, loaded and rejected per inbox file (its columns and types are the contract in load_summary.yml).
select * from {{ ref('int_source_files_summarized') }}
