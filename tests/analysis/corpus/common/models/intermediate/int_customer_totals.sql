select
    customer_id,
    count(*) as order_count,
    sum(amount) as total_amount,
    min(order_date) as first_order_date
from {{ ref('int_orders') }}
group by customer_id
