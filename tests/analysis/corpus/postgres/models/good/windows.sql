select * from (
    select
        order_id,
        customer_id,
        amount,
        row_number() over (partition by customer_id order by order_date desc) as rn,
        lag(amount) over (partition by customer_id order by order_date) as prev_amount,
        sum(amount) over w as running_total
    from {{ ref('stg_orders') }}
    window w as (partition by customer_id order by order_date)
) as ranked
where rn <= 2
