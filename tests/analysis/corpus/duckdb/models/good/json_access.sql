select
    event_id,
    payload ->> 'page' as page,
    json_extract(payload, '$.ms')::integer as ms,
    happened_at
from {{ ref('raw_events') }}
