select
    customer_id,
    iff(count(*) > 1, 'repeat', 'single') as kind,
    datediff('day', min(order_date), max(order_date)) as span_days,
    dateadd('day', 1, max(order_date)) as day_after,
    to_varchar(max(order_date), 'YYYY-MM') as last_month,
    listagg(status, ',') within group (order by order_date) as statuses,
    array_agg(amount) within group (order by order_date) as amounts,
    object_construct('n', count(*)) as stats,
    zeroifnull(sum(amount)) as total,
    div0(sum(amount), count(*)) as average,
    try_to_number(max(status)) as maybe_number,
    split_part(max(status), 'p', 1) as head
from {{ ref('stg_orders') }}
group by all
