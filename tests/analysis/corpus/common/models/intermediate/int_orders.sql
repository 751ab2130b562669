select
    o.order_id,
    o.customer_id,
    o.order_date,
    o.status,
    o.amount,
    c.first_name
from {{ ref('stg_orders') }} as o
join {{ ref('stg_customers') }} as c using (customer_id)
