-- The first seed in SQL: copy sales over 1000 into another collection.
-- FROM conn.db.coll reads the collection's documents as they are inserted.
INSERT INTO mongo.store.highValueSales
SELECT * FROM mongo.store.sales WHERE amount > 1000;
