-- Run once by the postgres image on an empty data volume (/docker-entrypoint-initdb.d), as the superuser.
-- Creates the database `myop` and, for each service, a LOGIN role myop_<schema> that owns schema <schema>.
-- The roles' password comes from the container's MYOP_DB_ROLE_PASSWORD (set in docker-compose.yml);
-- \getenv needs psql 15 or later, which the postgres:15 image has.
\set ON_ERROR_STOP on
\getenv role_password MYOP_DB_ROLE_PASSWORD
\if :{?role_password}
\else
DO $$ BEGIN RAISE EXCEPTION 'MYOP_DB_ROLE_PASSWORD is not set in the postgres container'; END $$;
\endif
SET client_min_messages = warning;

SELECT 'CREATE DATABASE myop' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'myop') \gexec

SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', 'myop_' || schema, :'role_password')
  FROM unnest(ARRAY['callrouter', 'campaigns', 'billing', 'aftercall', 'webhooks', 'notifications']) AS schema
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'myop_' || schema) \gexec

\connect myop
SET client_min_messages = warning;

SELECT format('GRANT CONNECT ON DATABASE myop TO %I', 'myop_' || schema),
       format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', schema, 'myop_' || schema)
  FROM unnest(ARRAY['callrouter', 'campaigns', 'billing', 'aftercall', 'webhooks', 'notifications']) AS schema \gexec
