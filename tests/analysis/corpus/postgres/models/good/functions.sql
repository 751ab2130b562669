select
    customer_id,
    to_char(max(order_date), 'YYYY-MM') as last_month,
    date_part('year', max(order_date)) as last_year,
    extract(epoch from max(order_date)::timestamp) as last_epoch,
    string_agg(status, ',' order by order_date) as statuses,
    max(order_date) + interval '1 day' as day_after,
    array_agg(amount) as amounts,
    split_part(max(status), 'p', 1) as head,
    coalesce(nullif(max(status), ''), 'none')::text as any_status
from {{ ref('stg_orders') }}
group by customer_id
