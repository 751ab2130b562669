-- three models below the seeds: int_customer_totals comes from int_orders, from stg_orders
select
    c.customer_id,
    t.total_amount
from {{ ref('stg_customers') }} as c
join {{ ref('int_customer_totals') }} as t
    on t.customer_id = c.customer_id
    and t.order_cnt > 0  -- expect: unknown-column
