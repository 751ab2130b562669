select
    customer_id,
    strftime(order_date, '%Y-%m') as month,
    date_diff('day', order_date, date '2025-01-01') as age_days,
    date_trunc('month', order_date) as month_start,
    regexp_matches(status, '^s') as starts_with_s,
    string_agg(status, ',' order by order_date) as statuses,
    list(amount) as amounts,
    ifnull(max(amount), 0) as top,
    greatest(min(amount), 1) as floor_amount
from {{ ref('stg_orders') }}
group by all
