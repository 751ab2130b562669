{#- The payment methods the shop accepts, as a list (uses return()). -#}
{% macro shop_payment_methods() %}
    {{ return(['bank_transfer', 'coupon', 'credit_card', 'gift_card']) }}
{% endmacro %}
