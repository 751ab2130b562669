-- Every dollar in stg_payments must show up in the orders mart.
-- Returns a row (and so fails) only when the totals differ.
select
    paid.total as payments_total,
    ordered.total as orders_total
from (select sum(amount) as total from {{ ref('stg_payments') }}) as paid
cross join (select sum(amount) as total from {{ ref('orders') }}) as ordered
where paid.total <> ordered.total
