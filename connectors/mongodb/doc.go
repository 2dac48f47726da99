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
//     A message's Position.ResumeToken is the change event's _id, or a
//     {_weirPollAfter: <_id>} document when polling; Commit keeps the
//     latest, and reopening with StartAfter set to it resumes after it.
//   - Lookup answers a batch with one find {field: {$in: values}};
//     CachedLookup keeps answers per value for a TTL within a byte bound.
//   - Merge writes a batch synchronously: per target, at most one find
//     (only for the action pairs the server can't decide alone) and one
//     unordered bulk write of idempotent operations; see Merge's table.
//     What the server refuses comes back as Rejected with its message;
//     retryable failures are retried with exponential backoff, a bounded
//     number of times.
//   - DLQ inserts ASP-shaped dead letters.
//
// # Where each path is tested
//
// `go test` runs against FerretDB v1 (its ferretdb package, SQLite
// backend) started once in-process by TestMain: configuration and
// fail-fast connect, lookups (counting find commands with a command
// monitor), the cache, every $merge action pair, on, dynamic targets,
// parallelism, server-refused documents, the DLQ, the "no change streams"
// message and the poll fallback with resume and initial sync.
//
// The change-stream path (Watch, resume tokens, fullDocument options,
// initial sync before a stream) needs a replica set, which FerretDB is
// not: TestChangeStream runs it when WEIR_MONGODB_URI names one, and is
// skipped otherwise. Retries were tested by classification of the
// driver's errors only, not against a failing server.
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
