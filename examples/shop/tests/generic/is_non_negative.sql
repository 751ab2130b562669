{#- Fails for every row where the column is negative (or zero, unless allowed). -#}
{% test is_non_negative(model, column_name, allow_zero=true) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} {{ '<' if allow_zero else '<=' }} 0

{% endtest %}
