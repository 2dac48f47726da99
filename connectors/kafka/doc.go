// Package kafka is weir's Kafka connection: a Source for $source (and
// FROM conn.topic) and a Sink for $emit (and INSERT INTO conn.topic), on
// github.com/twmb/franz-go.
//
// Files: config.go parses and checks a connection (kafka://… URI or
// key = value map; TLS, SASL, secrets from env:VAR); source.go reads
// topics through a consumer group and commits on request; sink.go
// produces Extended JSON with a bounded buffer; keys.go maps record keys
// to BSON values and back (ASP's keyFormat).
//
// Lifecycle. NewSource and NewSink check the connection before returning:
// a broker must answer within the connect timeout (each seed tried once,
// no retry loop), the source's topics must exist, the sink's default
// topic must exist or be created by the broker. Errors name the
// connection and its brokers.
//
// Delivery. The source never commits on its own (autocommit is off). The
// engine reads, writes to the sink, Flushes it, sends what the sink's
// Rejected returns to the DLQ, and only then calls Source.Commit with the
// positions written: at-least-once. Commit stores offset+1 per partition,
// so the group resumes at the first record not yet written; after a
// rebalance the new owner of a partition re-reads from there.
//
// Invariants: Read never returns messages and an error together (a fetch
// error seen alongside records waits for the next Read); Commit never
// moves a partition's committed offset backwards and never commits a
// partition this member no longer owns; Sink.Write never has more than
// MaxBufferedRecords records unacknowledged.
//
// Debugging: every error carries the broker list; Config.String prints
// the connection with its password redacted. franz-go logs nothing unless
// given kgo.WithLogger; tests run against kfake, franz-go's in-process
// broker, and TestKcatInterop against kcat when it is installed.
package kafka
