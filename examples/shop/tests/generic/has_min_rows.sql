{#- Model-level test: fails (one row) when the model has fewer than min_rows rows. -#}
{% test has_min_rows(model, min_rows=1) %}

select row_count
from (select count(*) as row_count from {{ model }}) as counted
where row_count < {{ min_rows }}

{% endtest %}
