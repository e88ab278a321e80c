-- Published: members per roster year (its columns and types are the contract in dim_member.yml).
select * from {{ ref('int_members_placed') }}
