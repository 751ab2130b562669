select *
from (select customer_id, status, amount from {{ ref('stg_orders') }})
pivot (sum(amount) for status in ('placed', 'shipped', 'returned')) as p
