select order_id
from {{ ref('stg_orders') }}
where order_date > 5  -- expect: type-mismatch
