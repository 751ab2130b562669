select
    customer_id,
    datediff('day', signup_date) as days  -- expect: wrong-arg-count
from {{ ref('stg_customers') }}
