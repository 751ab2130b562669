select
    order_id,
    status * 2 as doubled  -- expect: type-mismatch
from {{ ref('stg_orders') }}
