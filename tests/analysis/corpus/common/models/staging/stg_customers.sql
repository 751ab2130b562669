-- email was removed here; bad/contacts.sql still uses it
select
    id as customer_id,
    first_name,
    last_name,
    signup_date,
    is_active
from {{ ref('raw_customers') }}
