-- Per-customer spend in five-minute tumbling windows.
INSERT INTO kafka."customer-spend-5m"
SELECT customerId,
       WINDOW_START AS windowStart,
       COUNT(*) AS orders,
       SUM(amount) AS spent
FROM kafka.orders TIMESTAMP BY orderTime
WINDOW TUMBLE(INTERVAL '5' MINUTE)
GROUP BY customerId;
