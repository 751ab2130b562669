{{ config(materialized='incremental', incremental_strategy='append') }}

-- Append-only log of web events. An incremental run appends events newer
-- than the newest one stored; a late event with an older timestamp is
-- therefore not picked up.
select
    event_id,
    customer_id,
    event_type,
    page,
    occurred_at,
    {{ 'true' if var('shop_late_data') else 'false' }} as loaded_in_late_run
from {{ ref('stg_events') }}

{% if is_incremental() %}
where occurred_at > (select max(occurred_at) from {{ this }})
{% endif %}
