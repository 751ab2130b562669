{{ config(tags=['incremental']) }}

-- An order cannot be updated before it was placed.
select order_id, days_to_last_update
from {{ ref('orders_current') }}
where days_to_last_update < 0
