select
    customer_id,
    sum(order_date) as total  -- expect: type-mismatch
from {{ ref('stg_orders') }}
group by customer_id
