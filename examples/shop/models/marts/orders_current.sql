{{
    config(
        materialized='incremental',
        unique_key='order_id',
        incremental_strategy='delete+insert'
    )
}}

-- Latest known state of every order. On an incremental run only order
-- versions newer than what is already stored are processed; rows whose key
-- already exists are deleted and re-inserted.
select
    order_id,
    customer_id,
    status,
    order_date,
    updated_at,
    {{ shop_days_between('order_date', 'updated_at') }} as days_to_last_update,
    {{ 'true' if var('shop_late_data') else 'false' }} as loaded_in_late_run
from {{ ref('stg_orders') }}

{% if is_incremental() %}
where updated_at > (select max(updated_at) from {{ this }})
{% endif %}
