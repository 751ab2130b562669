select
    event_id,
    payload ->> 'page' as page,
    (payload ->> 'ms')::int as ms,
    payload -> 'page' as page_json,
    jsonb_extract_path_text(payload, 'page') as page_again,
    happened_at
from {{ ref('raw_events') }}
