select
    id as customer_id,
    first_name,
    last_name,
    first_name || ' ' || last_name as full_name,
    lower(email) as email,
    signup_date,
    is_active,
    country as country_code
from {{ ref('raw_customers') }}
