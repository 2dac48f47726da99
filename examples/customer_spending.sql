-- The second seed in SQL: enrich orders with the customer's name and keep a
-- running total of each customer's spending over the last five minutes.
INSERT INTO kafkaAnalytics."customer-spending"
SELECT o.customerId,
       c.name AS customerName,
       SUM(o.amount) OVER (PARTITION BY o.customerId ORDER BY o.orderTime
                           RANGE BETWEEN INTERVAL '5' MINUTE PRECEDING AND CURRENT ROW) AS totalSpent,
       o.orderTime AS windowEnd
FROM kafkaOrders.orders AS o
JOIN mongoProd.retail.customers AS c ON o.customerId = c._id;
