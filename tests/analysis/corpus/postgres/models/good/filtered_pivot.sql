select
    customer_id,
    sum(amount) filter (where status = 'placed') as placed,
    sum(amount) filter (where status = 'shipped') as shipped,
    count(*) filter (where status = 'returned') as returns
from {{ ref('stg_orders') }}
group by customer_id
