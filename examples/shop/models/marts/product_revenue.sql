-- Materialization and tags for this model are set in _marts.yml.
-- The two-argument ref names the package (this project) explicitly.
with products as (

    select * from {{ ref('stg_products') }}

),

kept_orders as (

    select *
    from {{ ref('shop', 'orders') }}
    where status not in ('returned', 'cancelled')

)

select
    products.product_id,
    products.product_name,
    products.category,
    count(kept_orders.order_id) as order_count,
    coalesce(sum(kept_orders.quantity), 0) as units_sold,
    coalesce(sum(kept_orders.gross_amount), 0) as gross_revenue
from products
left join kept_orders
    on products.product_id = kept_orders.product_id
group by
    products.product_id,
    products.product_name,
    products.category
