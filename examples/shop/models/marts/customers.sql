with customers as (

    select * from {{ ref('stg_customers') }}

),

orders as (

    select * from {{ ref('stg_orders') }}

),

payments as (

    select * from {{ ref('int_order_payments') }}

),

customer_orders as (

    select
        customer_id,
        min(order_date) as first_order_date,
        max(order_date) as most_recent_order_date,
        count(*) as number_of_orders
    from orders
    group by customer_id

),

customer_payments as (

    select
        orders.customer_id,
        sum(payments.total_amount) as lifetime_value
    from payments
    inner join orders
        on payments.order_id = orders.order_id
    where orders.status not in ('returned', 'cancelled')
    group by orders.customer_id

),

customer_events as (

    select
        customer_id,
        count(*) as web_events
    from {{ ref('stg_events') }}
    where customer_id is not null
    group by customer_id

)

select
    customers.customer_id,
    customers.full_name,
    customers.email,
    customers.country_code,
    customers.is_active,
    customer_orders.first_order_date,
    customer_orders.most_recent_order_date,
    coalesce(customer_orders.number_of_orders, 0) as number_of_orders,
    coalesce(customer_payments.lifetime_value, 0) as lifetime_value,
    coalesce(customer_payments.lifetime_value, 0) >= {{ var('shop_vip_threshold') }} as is_vip,
    coalesce(customer_events.web_events, 0) as web_events
from customers
left join customer_orders
    on customers.customer_id = customer_orders.customer_id
left join customer_payments
    on customers.customer_id = customer_payments.customer_id
left join customer_events
    on customers.customer_id = customer_events.customer_id
