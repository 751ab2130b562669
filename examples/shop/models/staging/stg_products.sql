select
    product_id,
    name as product_name,
    category,
    price,
    weight_grams,
    is_available,
    launched_on
from {{ ref('raw_products') }}
