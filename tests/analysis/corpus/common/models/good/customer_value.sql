with totals as (
    select * from {{ ref('int_customer_totals') }}
),

customers as (
    select customer_id, first_name, last_name from {{ ref('stg_customers') }}
)

select
    c.customer_id,
    c.first_name || ' ' || c.last_name as full_name,
    coalesce(t.order_count, 0) as order_count,
    coalesce(t.total_amount, 0) as total_amount,
    case when t.total_amount > 20 then 'vip' else 'regular' end as segment
from customers as c
left join totals as t on t.customer_id = c.customer_id
order by full_name
