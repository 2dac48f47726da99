// Package mongodb is weir's mongodb connection type: the change-stream
// $source, $lookup / $cachedLookup, the $merge sink and the dead-letter
// queue, on go.mongodb.org/mongo-driver/v2. It never evaluates MQL: where
// a stage needs an expression (a whenMatched pipeline, an action or target
// expression), the engine evaluates it and passes the result or a
// callback, so the dependency stays connectors → planner/mql only.
//
// # Lifecycle
//
// Connect validates the Config (offline: an SRV name is resolved when
// connecting, not when validating), connects and pings within
// ConnectTimeout, and fails with the connection's name, hosts and redacted
// URI — there is no retry loop of our own around it. One Client serves
// every source, sink and lookup of the connection; they never close it.
//
//   - OpenSource opens the change stream at once, so a server without
//     change streams is found at start. With Fallback "poll" it then tails
//     inserts in _id order (inserts only; updates, deletes and _ids lower
//     than the last seen are not read) and says so in Notice and the log.
//     A message's Position.ResumeToken is the change event's _id (the
//     batch's postBatchResumeToken for its last event, which also covers
//     the events config.pipeline filtered out), a {_weirPollAfter: <_id>}
//     document when polling, or {_weirInitialSync: <_id>} for a document
//     of the initial sync; Commit keeps the latest, and reopening with
//     StartAfter set to it resumes after it (after an initial-sync token:
//     the copy again). The server keeps no position for us, so the
//     runtime's checkpoint does: the Source is a connectors.Resumer, and
//     ResumeFrom, called once before the first Read of a processor
//     restarted from a checkpoint, reopens the stream with startAfter the
//     latest saved token (no initial sync), or polls on after the saved
//     _id. The driver resumes the stream itself after a resumable error;
//     a Read that ends with its context leaves the driver's stream
//     unusable, so the next Read reopens it after the last token seen.
//     The position moves without events too: Read asks one getMore at a
//     time (TryNext), and the postBatchResumeToken of a reply with no
//     event for weir (none happened, config.pipeline filtered them out,
//     or fullDocumentOnly had nothing to emit) becomes the Source's
//     Progress (connectors.Progresser), withdrawn before Read returns
//     events. The runtime takes it on its tick and saves it like a
//     message's position, after everything read before it was flushed,
//     so a quiet or filtered stream's checkpoint keeps a token the oplog
//     still holds. Its Topic is the collection's namespace, or the scope
//     (db.*, db.{a,b}, *) for a wider stream; ResumeFrom takes the latest
//     token whatever its namespace.
//   - Lookup answers a batch with one find {field: {$in: values}};
//     CachedLookup keeps answers per value for a TTL within a byte bound.
//     Lookup.Aggregate runs a let+pipeline $lookup without an equality
//     part: the engine calls it once per distinct set of let values in a
//     batch, with the values written into the pipeline, so it is one
//     aggregate per distinct set, not one $in query per batch. A find or
//     aggregate failing with a retryable error (a network error, a primary
//     stepping down or shutting down) is tried again with backoff, five
//     times at most, then fails naming the connection.
//   - Merge writes a batch synchronously: per target, at most one find
//     (only for the action pairs the server can't decide alone) and one
//     unordered bulk write of idempotent operations; see Merge's table.
//     What the server refuses (a duplicate key, a failed validation) comes
//     back as Rejected with the server's message, for the DLQ, and the
//     rest of the batch is written by the same command. Retryable failures
//     of the whole write (codes 91, 189, 11600… with or without the
//     RetryableWriteError label, a network error, a retryable write
//     concern error) are sent again with exponential backoff, MaxAttempts
//     times at most, then fail with an error naming the connection.
//   - DLQ inserts ASP-shaped dead letters; DLQSink (what the registry
//     gives the runtime) inserts the letters the runtime shaped. Both send
//     a failed insert again after a retryable error, with backoff, five
//     times at most, with the same _ids, and only the letters not known
//     written: a duplicate key on _id in a retry is a letter the failed
//     attempt wrote, counted as written — for an _id the caller gave, only
//     once the stored document is read back and is this letter (another
//     letter with that _id is a refusal); any other refusal fails the
//     write, naming the letters.
//
// A source's errors say what to do where the user can do something: a
// server without change streams (config.fallback: "poll", or a replica
// set), a resume token the oplog no longer holds (restart without the
// saved position). The runtime prefixes them with the connection's name.
//
// # Which paths were tested where
//
// Three places, by how close they come to a real server:
//
//   - FerretDB: FerretDB v1 (its ferretdb package, SQLite backend)
//     started once in-process by TestMain; `make test` / `go test`.
//   - mock: the driver's drivertest.MockDeployment answering with scripted
//     replies, a command monitor recording what weir sent
//     (mock_test.go); `make test` / `go test`.
//   - replica set: a real one named by WEIR_MONGODB_URI
//     (TestChangeStream, TestConformanceRealMongoDB); skipped when it is
//     unset, so not run in CI.
//
// The table:
//
//	path                                                    FerretDB   mock   replica set
//	connect, fail-fast errors, URI redaction                yes        -      yes
//	$lookup / $cachedLookup, one find per batch             yes        -      yes
//	$lookup retries of a failing find, bounded              -          yes    -
//	let+pipeline $lookup, one aggregate per let values      yes (1)    yes    -
//	$merge actions, on, dynamic targets, parallelism        yes        -      read-back
//	$merge refused documents → Rejected, server's message   yes        yes    yes
//	$merge retries (91, 189, 11600, network, WCE), bounded  -          yes    -
//	DLQ documents                                           yes        yes    -
//	DLQ retries, a retried letter's duplicate _id           -          yes    -
//	"no change streams" message, poll fallback              yes        yes    -
//	$changeStream options, scope, config.pipeline           -          yes    partly
//	change events and their fields, resume tokens           -          yes    yes
//	postBatchResumeToken as the last position of a batch    -          yes    -
//	empty getMores' tokens as Progress, checkpointed        -          yes    -
//	restart from a committed token (startAfter)             polling    yes    yes
//	a processor restarted from its checkpoint (ResumeFrom)  polling    yes    -
//	the driver's resume on resumable errors (43, labels)    -          yes    -
//	non-resumable errors (286 history lost, 40573)          -          yes    -
//	a Read ending with its context, then reading on         polling    yes    yes
//	initialSync                                             polling    -      yes
//
// (1) FerretDB v1 has no $expr operators: there the variable stands alone
// ({$expr: "$$v"}), with a $set of one; the mock shows a comparison's.
// The checkpoint rows run through the runtime (exec.Build and Run, in the
// package's external tests).
//
// The mock replays replies in order whatever was asked, as a primary of
// a recent server; it tests weir's handling of the driver's answers, not
// the server's behaviour, which only the replica set row shows.
//
// # FerretDB v1, as measured here
//
// It answers $changeStream with NotImplemented (238), and the aggregate: 1
// of a database or cluster stream with FailedToParse (9). Its update
// command stops at the first failing statement even when unordered and
// reports nothing about the rest; Merge resends those (harmless on
// MongoDB, where every operation it sends is idempotent). It accepts
// documents over 16 MB and implements neither $expr's $eq nor $lookup.
package mongodb
