CREATE TABLE users (id bigint primary key, email text not null);
