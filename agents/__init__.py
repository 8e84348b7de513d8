"""Who acts: delegate and mediator roles, their typed actions, views and backends."""
