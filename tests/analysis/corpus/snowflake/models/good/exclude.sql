select * exclude (status)
from {{ ref('stg_orders') }}
