-- psql 15 against weir serve: queries, errors with their caret, the
-- session surviving them, transactions, settings, cursors, COPY, the
-- catalog meta-commands (\l \dn \dt \dv \d \d NAME \d+ \df) and
-- queries over pg_catalog and information_schema, stream processors.
SELECT 1;
SELECT version() LIKE 'PostgreSQL 15%' AS v, current_database(), current_user;
selec 1;
SELECT 'é', nosuch(x) FROM default.orders;
SELECT customer, amount FROM default.orders WHERE amount > 100;
SELECT 1; SELECT 2;
BEGIN;
SELECT 1 +;
SELECT 1;
ROLLBACK;
SET application_name = 'weir-test';
SHOW application_name;
SET extra_float_digits TO 3;
SHOW TRANSACTION ISOLATION LEVEL;
\set FETCH_COUNT 2
SELECT orderId, customer FROM default.orders;
\unset FETCH_COUNT
COPY (SELECT orderId, customer FROM default.orders WHERE ok) TO STDOUT;
EXPLAIN SELECT customer FROM default.orders;
\l
\dn
\dt
\d orders
\d nosuch
CREATE STREAM PROCESSOR big AS INSERT INTO default.sales.big SELECT orderId, amount FROM default.orders WHERE amount > 100;
CREATE STREAM PROCESSOR big AS INSERT INTO default.sales.big SELECT * FROM default.orders;
START STREAM PROCESSOR big;
\! sleep 0.5
SHOW STREAM PROCESSORS;
SELECT orderId, amount FROM default.sales.big;
\dt
\dv
\d
\d big
\d "sales.big"
\d+ orders
\d+ big
\dt+
\df
SELECT c.relname, c.relkind, n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('default', 'weir') ORDER BY 1;
SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'default' ORDER BY table_name, ordinal_position;
SELECT relname FROM pg_catalog.pg_class WHERE relname LIKE ANY (ARRAY['o%']);
DROP STREAM PROCESSOR big;
SHOW STREAM PROCESSORS;
STOP STREAM PROCESSOR nosuch;
SELECT 'ok';
