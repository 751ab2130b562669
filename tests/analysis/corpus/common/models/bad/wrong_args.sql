select
    customer_id,
    left(first_name) as initial  -- expect: wrong-arg-count
from {{ ref('stg_customers') }}
