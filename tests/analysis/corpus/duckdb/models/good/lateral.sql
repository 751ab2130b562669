select c.customer_id, last_order.order_date, last_order.amount
from {{ ref('stg_customers') }} as c,
lateral (
    select o.order_date, o.amount
    from {{ ref('stg_orders') }} as o
    where o.customer_id = c.customer_id
    order by o.order_date desc
    limit 1
) as last_order
