// Package connectors holds weir's connection types and what reads from and
// writes to them. For now that is the file:DIR connection's reading side:
// stream conn.NAME is DIR/NAME.jsonl, collection conn.DB.COLL is
// DIR/DB/COLL.jsonl, one Extended JSON document per line. Kafka and MongoDB
// follow in the connectors issue, behind the same registry.
package connectors
