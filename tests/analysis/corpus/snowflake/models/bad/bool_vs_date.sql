select customer_id
from {{ ref('stg_customers') }}
where is_active = signup_date  -- expect: type-mismatch
