{%- set methods = shop_payment_methods() -%}

with orders as (

    select * from {{ ref('stg_orders') }}

),

products as (

    select * from {{ ref('stg_products') }}

),

payments as (

    select * from {{ ref('int_order_payments') }}

)

select
    orders.order_id,
    orders.customer_id,
    orders.product_id,
    orders.order_date,
    orders.status,
    orders.quantity,
    products.price as unit_price,
    orders.quantity * products.price as gross_amount,
    {%- for method in methods %}
    coalesce(payments.{{ method }}_amount, 0) as {{ method }}_amount,
    {%- endfor %}
    coalesce(payments.total_amount, 0) as amount,
    payments.order_id is not null as is_paid,
    {{ shop_days_between('orders.order_date', 'orders.updated_at') }} as days_to_last_update,
    '{{ var("shop_currency") }}' as currency
from orders
inner join products
    on orders.product_id = products.product_id
left join payments
    on orders.order_id = payments.order_id
