// Package connectors holds the interfaces the engine asks of a connection
// (connector.go: Source, Sink, Lookup, Message, Position, Doc) and the
// file:DIR connection: stream conn.NAME is DIR/NAME.jsonl, collection
// conn.DB.COLL is DIR/DB/COLL.jsonl, one Extended JSON document per line.
// FileSource reads them once, in order, then io.EOF (file_source.go); the
// file sinks append ($emit, the DLQ) or upsert and rewrite a collection's
// file atomically at each flush ($merge) (file_sink.go, file_write.go).
//
// Below it: kafka and mongodb are the other connection types, conformance
// is the suite every connector runs, and registry names connections
// (--conn, --config, CREATE CONNECTION) and opens the connectors a
// processor needs.
package connectors
