select
    customer_id,
    is_active + 1 as score  -- expect: type-mismatch
from {{ ref('stg_customers') }}
