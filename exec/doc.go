// Package exec runs weir's MQL stage set.
//
// It has five layers, from the bottom:
//
//   - The row evaluator (value.go, eval*.go, match.go, jsonschema.go,
//     accumulate.go, window_funcs.go): Eval computes an aggregation
//     expression (mql.Expr) over one bson.D document, Match tests a query
//     predicate (mql.Query), and the accumulators and window functions fold
//     values for $group and $setWindowFields. It follows MongoDB's documented
//     semantics (shared/reference/asp.md §9): BSON comparison order, null
//     versus missing, implicit array traversal, type bracketing in
//     predicates, numeric widening.
//   - Columnar batches (batch.go, column*.go, decode*.go): a Batch is an Arrow
//     record of the field paths a pipeline reads, with an event-time column
//     and, when a stage needs whole documents, the raw documents. The decoder
//     reads Extended JSON lines straight into Arrow builders, only the paths
//     asked for. Columns are typed when a batch's values agree and a dense
//     union when they don't; missing and null stay distinct.
//   - The reference runner (reference*.go): a whole pipeline over bounded
//     inputs, one document at a time, every window closed at the end of the
//     input. `weir test` and `weir demo` use it, `weir run` and the engine
//     fall back to it for file-only pipelines the streaming runtime doesn't
//     run yet, and it is the oracle the streaming runtime is checked against.
//   - The streaming runtime (stream*.go, op_*.go, columnar*.go,
//     checkpoint*.go): Build turns a pipeline into operators that process
//     batches as they arrive, with per-partition watermarks, windows that
//     close at end + allowedLateness, late documents to the DLQ, continuous
//     top-level $group/$count/top-n $sort, checkpoints of operator state
//     (BuildEnv.CheckpointDir, `weir run --state`), sources whose position
//     only the checkpoint keeps (a change stream's resume token:
//     connectors.Resumer) told it once before their first read, source
//     positions committed after the sinks flushed, and positions a source
//     reached with no message (a quiet change stream's
//     postBatchResumeToken: connectors.Progresser) taken on the tick and
//     saved by the same rule. Extended JSON messages take the columnar fast path
//     through the leading $match stages; past them operators exchange rows,
//     except when all that follows is at most one inclusion $project and an
//     output sink that takes lines (LineSink): then the fast path evaluates
//     the $project's computed fields over the columns and encodes each
//     output line from the columns and the message's bytes, building no
//     document (columnar_out.go, columnar_line.go).
//   - The engine (engine*.go): named stream processors and connections,
//     persisted, with their counters and checkpoints; the one API `weir
//     serve`, the playground and `weir run` (Engine.Run, a foreground run)
//     run queries and processors through.
//
// Kernels take the typed fast path and fall back to the row evaluator per
// row for columns whose values do not share one type, so the two must agree;
// when they differ, the row evaluator is the reference.
//
// Invariants:
//   - A missing value is the sentinel Missing, never nil (nil is BSON null).
//     Eval returns Missing for a missing field or $$REMOVE; callers building
//     documents omit fields whose value is Missing.
//   - Documents are bson.D and arrays bson.A; the evaluator never mutates its
//     input, so documents may be shared between rows.
//   - Errors about a document are values the caller routes to the DLQ; a
//     row's error never stops the processor.
//   - Batches are reference counted: whoever keeps one past the call that
//     handed it over Retains it, and every holder Releases it once; tests use
//     memory.NewCheckedAllocator and assert zero bytes at the end.
//
// To debug an expression, print it with mql.EncodeExpr and evaluate it over
// the failing document in a test with Eval. To debug a pipeline, run it with
// `weir run` over a file connection, or add a case under testdata/cases and
// run `weir test`; streaming-runtime cases are testdata/exec/*.txt and
// testdata/exec_continuous/*.txt.
package exec
