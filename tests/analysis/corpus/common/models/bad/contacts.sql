select
    c.customer_id,
    c.first_name,
    c.email  -- expect: unknown-column
from {{ ref('stg_customers') }} as c
