CREATE TABLE orders (id bigint primary key, user_id bigint not null);
