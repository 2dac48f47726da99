// Package exec runs weir's MQL stage set.
//
// This part of the package is the row-at-a-time evaluator: Eval computes an
// aggregation expression (mql.Expr) over one bson.D document, Match tests a
// query predicate (mql.Query), and the accumulators fold values for $group
// and $setWindowFields. It follows MongoDB's documented semantics
// (shared/reference/asp.md §9): BSON comparison order, null versus missing,
// implicit array traversal, type bracketing in predicates, numeric widening.
// Arrow kernels take the typed fast path and fall back to it per row for
// columns whose values do not share one type, so the two must agree; when
// they differ, this evaluator is the reference.
//
// Invariants:
//   - A missing value is the sentinel Missing, never nil (nil is BSON null).
//     Eval returns Missing for a missing field or $$REMOVE; callers building
//     documents omit fields whose value is Missing.
//   - Documents are bson.D and arrays bson.A; the evaluator never mutates its
//     input, so documents may be shared between rows.
//   - Errors are values the caller routes to the DLQ; a row's error never
//     stops the processor.
//
// To debug an expression, print it with mql.EncodeExpr and evaluate it over
// the failing document in a test with Eval; every operator is a plain Go
// function of already-evaluated arguments, except the few that bind
// variables ($let, $filter, $map, $reduce, …) or short-circuit ($and, $or,
// $cond, $switch, $ifNull).
package exec
