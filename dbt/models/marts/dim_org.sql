-- Published: the org tree per year (its columns and types are the contract in dim_org.yml).
select * from {{ ref('int_orgs_placed') }}
