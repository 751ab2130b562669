{% set methods = ['card', 'cash', 'gift'] %}
select
    order_id,
    {% for m in methods %}
    sum(case when method = '{{ m }}' then amount end) as {{ m }}_amount,
    {% endfor %}
    sum(amount_cents) as total  -- expect: unknown-column
from {{ ref('stg_payments') }}
group by order_id
