select
    e.event_id,
    f.value:name::string as item_name,
    f.index as position
from {{ ref('raw_events') }} as e,
lateral flatten(input => e.payload:items) as f
