-- psql 15 against weir serve: queries, errors with their caret, the
-- session surviving them, transactions, settings, cursors, COPY, the
-- catalog meta-commands and stream processors.
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
DROP STREAM PROCESSOR big;
SHOW STREAM PROCESSORS;
STOP STREAM PROCESSOR nosuch;
SELECT 'ok';
