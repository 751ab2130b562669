select c.customer_id, last_order.order_date, days.d
from {{ ref('stg_customers') }} as c
left join lateral (
    select o.order_date
    from {{ ref('stg_orders') }} as o
    where o.customer_id = c.customer_id
    order by o.order_date desc
    limit 1
) as last_order on true
cross join lateral generate_series(1, 2) as days(d)
