with recent_orders as (
    select order_id, customer_id from {{ ref('stg_orders') }}
)

select order_id
from recent_order  -- expect: unknown-table
