with s as (
    select
        customer_id,
        {'first': first_name, 'last': last_name} as name_struct,
        [order_count, 1] as nums
    from {{ ref('stg_customers') }}
    join {{ ref('int_customer_totals') }} using (customer_id)
)

select
    customer_id,
    name_struct.first as first_name,
    s.name_struct['last'] as last_name,
    list_transform(nums, lambda x: x * 2) as doubled,
    list_sum(nums) as total
from s
