-- Compiled by `dbt compile`, never run: revenue per month and category.
select
    date_trunc('month', orders.order_date) as order_month,
    products.category,
    sum(orders.amount) as revenue
from {{ ref('orders') }} as orders
inner join {{ ref('stg_products') }} as products
    on orders.product_id = products.product_id
group by 1, 2
order by 1, 2
