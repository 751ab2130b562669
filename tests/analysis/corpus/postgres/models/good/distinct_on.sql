select distinct on (customer_id) customer_id, order_id, order_date
from {{ ref('stg_orders') }}
order by customer_id, order_date desc
