// Package conformance is the one test suite every connector runs (STYLE.md,
// convention 7): RunSource, RunSink and RunLookup check the contracts of
// connectors.Source, Sink and Lookup that the engine relies on, through a
// harness that knows how to make a topic or collection, fill it, open the
// connector on it and read back what a sink wrote.
//
// Each connector's package runs the suite in go test against its embedded
// server (kfake, the in-process FerretDB, a temporary directory) and again
// against a real cluster when WEIR_KAFKA / WEIR_MONGODB_URI are set; those
// runs skip, saying so, when the variable is not.
//
// What the suite checks:
//
//   - Source: messages of a partition arrive in the order they were
//     appended, each with a position naming its topic (or "db.coll") that
//     no other message shares and that moves forward; Read never returns
//     messages and an error together; a bounded source ends with io.EOF
//     (and keeps ending), a live one waits until its context ends; a
//     record that is not a document comes out as a message, raw, for the
//     runtime to dead-letter, rather than as an error; and, where the
//     connector resumes, Commit then re-open continues right after the
//     committed positions.
//   - Sink: what is written and flushed is there for another client to
//     read, after Close too; a Doc's Target routes it; a document the
//     target refuses comes back in Rejected (from Write, or from a
//     Rejected() method after Flush for sinks that learn it late) with a
//     reason, while its neighbours are written and the sink keeps working.
//   - Lookup: Find with several values, with null (which matches null and
//     missing), against array fields (which match by element), across
//     numeric types, and with no values; one query per call where the
//     harness can count them.
//
// The suite's documents are small: FerretDB's SQLite backend is slow at
// upserts, and the suite runs on every go test.
package conformance
