{% set statuses = ['placed', 'shipped', 'returned'] %}
with orders as (
    select * from {{ ref('stg_orders') }}
),

per_status as (
    select
        customer_id,
        {% for s in statuses %}
        sum(case when status = '{{ s }}' then amount else 0 end) as {{ s }}_amount,
        {% endfor %}
        count(*) as n
    from orders
    group by customer_id
    having count(*) > 0
)

select
    p.customer_id,
    p.placed_amount + p.shipped_amount as kept_amount,
    p.n,
    (select max(o2.order_date) from orders as o2 where o2.customer_id = p.customer_id) as last_order,
    exists (select 1 from {{ ref('stg_payments') }} as pay
            join orders as o3 on o3.order_id = pay.order_id
            where o3.customer_id = p.customer_id) as has_payment,
    cast(p.n as varchar(10)) as n_text
from per_status as p
where p.customer_id in (select customer_id from {{ ref('stg_customers') }} where is_active)

union all

select customer_id, 0, 0, null, false, 'none'
from {{ ref('stg_customers') }}
where not is_active
