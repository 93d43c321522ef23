-- A small shop: the dataset of the <reel-exercise src="data/shop.sql"> example (www/exercises.html).
CREATE DATABASE IF NOT EXISTS shop;
USE shop;
CREATE TABLE products (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, qty INT, price DECIMAL(8,2));
INSERT INTO products VALUES
  (1, 'Laptop', 5, 999.00),
  (2, 'Monitor', 12, 199.50),
  (3, 'Keyboard', 40, 25.00),
  (4, 'Mouse', 25, 12.00),
  (5, 'Dock', 0, 149.00);
