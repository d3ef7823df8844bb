-- The order lists page newest first, then by id (keyset paging), within a unit or a
-- supplier: these indexes take the place of the (unit, time) and (supplier, time) ones.
-- Their markers count a thread's messages not yet read by the reader.
CREATE INDEX service_order_unit_page ON service_order (unit_id, created_at, id);
DROP INDEX service_order_unit;
CREATE INDEX service_order_supplier_page ON service_order (supplier_id, created_at, id);
DROP INDEX service_order_supplier;
CREATE INDEX message_read_user ON message_read (user_id, message_id);
