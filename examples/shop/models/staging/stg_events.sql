select
    event_id,
    customer_id,
    event_type,
    page,
    occurred_at,
    cast(occurred_at as date) as event_date
from {{ source('raw', 'events') }}
