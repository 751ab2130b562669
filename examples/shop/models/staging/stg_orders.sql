-- The late updates seed is only read when var shop_late_data is true; the
-- comment below keeps it in the DAG either way.
-- depends_on: {{ ref('raw_order_updates') }}
with order_versions as (

    select id, customer_id, product_id, quantity, order_date, status, discount_pct, updated_at
    from {{ ref('raw_orders') }}

    {% if var('shop_late_data') %}
    union all

    select id, customer_id, product_id, quantity, order_date, status, discount_pct, updated_at
    from {{ ref('raw_order_updates') }}
    {% endif %}

),

ranked as (

    select
        *,
        row_number() over (partition by id order by updated_at desc) as version_rank
    from order_versions

)

select
    id as order_id,
    customer_id,
    product_id,
    quantity,
    order_date,
    status,
    cast(discount_pct as numeric(5, 2)) as discount_pct,
    updated_at
from ranked
where version_rank = 1
