select
    event_id,
    payload:page::string as page,
    payload:meta.ms::int as ms,
    payload['page']::varchar as page_again,
    get_path(payload, 'meta.ms') as raw_ms,
    happened_at
from {{ ref('raw_events') }}
