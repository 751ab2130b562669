select
    o.order_id,
    o.amount,
    p.paid,
    o.amount - coalesce(p.paid, 0) as balance
from {{ ref('stg_orders') }} as o
left join {{ ref('eph_paid') }} as p on p.order_id = o.order_id
