-- depends_on: {{ ref('raw_events') }}
-- the source has no declared columns: kind and happened_at cannot be checked, and are not errors
select
    c.customer_id,
    kind,
    count(*) as events,
    max(e.happened_at) as last_seen
from {{ source('raw', 'events') }} as e
join {{ ref('stg_customers') }} as c on c.customer_id = e.customer_id
group by c.customer_id, kind
