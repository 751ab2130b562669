select
    id as payment_id,
    order_id,
    payment_method,
    amount as amount_cents,
    {{ cents_to_dollars('amount') }} as amount,
    created_at
from {{ ref('raw_payments') }}
