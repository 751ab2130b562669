{#-
  The web-event feed is not a seed: the on-run-start hooks create and
  (re)fill the table main.raw_events, which the `raw` source points at.
  Hooks run before any node, so models reading the source always see it.
  With var shop_late_data the feed contains extra events: three newer ones
  and one that arrives late with an old timestamp.
-#}
{% macro shop_create_raw_events() -%}
create table if not exists {{ target.schema }}.raw_events (
    event_id integer,
    customer_id integer,
    event_type varchar(20),
    page varchar(50),
    occurred_at timestamp
)
{%- endmacro %}

{% macro shop_insert_raw_events() -%}
{%- set rows = [
    (1, 1, 'page_view', '/products/P001', '2024-01-02 09:55:00'),
    (2, 1, 'add_to_cart', '/products/P001', '2024-01-02 09:58:00'),
    (3, 3, 'page_view', '/products/P003', '2024-01-03 12:00:00'),
    (4, 2, 'page_view', '/products/P002', '2024-01-05 08:50:00'),
    (5, none, 'page_view', '/', '2024-01-06 18:20:00'),
    (6, 5, 'add_to_cart', '/products/P001', '2024-01-12 19:00:00'),
    (7, 7, 'page_view', '/products/P005', '2024-01-22 16:30:00'),
    (8, 10, 'page_view', '/products/P006', '2024-02-03 17:10:00'),
    (9, none, 'page_view', '/about', '2024-02-09 21:00:00'),
    (10, 12, 'add_to_cart', '/products/P001', '2024-02-10 14:40:00'),
    (11, 6, 'page_view', '/products/P003', '2024-02-15 10:20:00'),
    (12, 7, 'add_to_cart', '/products/P001', '2024-02-22 18:25:00'),
] -%}
{%- if var('shop_late_data') -%}
    {%- do rows.extend([
        (13, 11, 'page_view', '/products/P006', '2024-03-02 11:50:00'),
        (14, 5, 'add_to_cart', '/products/P004', '2024-03-03 19:40:00'),
        (15, none, 'page_view', '/', '2024-03-04 08:00:00'),
        (16, 4, 'page_view', '/products/P002', '2024-02-01 12:00:00'),
    ]) -%}
{%- endif -%}
insert into {{ target.schema }}.raw_events (event_id, customer_id, event_type, page, occurred_at)
values
{%- for r in rows %}
    ({{ r[0] }}, {{ 'null' if r[1] is none else r[1] }}, '{{ r[2] }}', '{{ r[3] }}', cast('{{ r[4] }}' as timestamp)){{ "," if not loop.last }}
{%- endfor %}
{%- endmacro %}
