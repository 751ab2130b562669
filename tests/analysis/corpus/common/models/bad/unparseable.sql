select
    customer_id,
    first_name last_name initials,  -- expect: syntax-error
    signup_date
from {{ ref('stg_customers') }}
