-- Orders over 1000, with the customer's name; no sink, so `weir run` prints them.
SELECT o.orderId, c.name AS customer, o.amount, o.orderTime
FROM kafka.orders AS o
LEFT JOIN kafka.retail.customers AS c ON o.customerId = c._id
WHERE o.amount > 1000;
