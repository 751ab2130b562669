select
    order_id,
    customer_id,
    amount,
    row_number() over (partition by customer_id order by order_date desc) as rn,
    lag(amount) over (partition by customer_id order by order_date) as prev_amount,
    sum(amount) over (partition by customer_id order by order_date
                      rows between unbounded preceding and current row) as running_total
from {{ ref('stg_orders') }}
qualify rn <= 2
