select
    id,  -- expect: ambiguous-column
    p.method
from {{ ref('raw_orders') }} as o
join {{ ref('raw_payments') }} as p on p.order_id = o.id
