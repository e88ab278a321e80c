-- Published: per problem, where its rectification stands (its columns and types are the contract in rectifications.yml).
select * from {{ ref('int_rectifications_tracked') }}
