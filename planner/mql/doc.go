// Package mql is weir's stage set: MongoDB Atlas Stream Processing (ASP)
// pipelines as typed Go values.
//
// A Pipeline is a slice of typed stages (Source, Match, TumblingWindow,
// Merge, …). Aggregation expressions are an Expr tree and query predicates a
// Query tree; the operator registry names every operator with its arity and
// documentation. Decode reads a pipeline from Extended JSON (relaxed or
// canonical), Encode writes it back, and decode(encode(p)) == p.
//
// Nothing in this package runs. The SQL planner builds these values, the
// executor compiles them, EXPLAIN prints them, and stored processors are
// kept as them. Each stage marshals to exactly the document ASP accepts, so
// what weir prints can be deployed to Atlas. Stages and options beyond ASP
// (top-level $group/$sort/$limit, $setWindowFields) are marked as
// extensions in the registry and in docs/mql.md.
//
// Errors carry the path of the problem (pipeline[1].$tumblingWindow.interval.unit)
// and say what was expected; lints are Warnings with the same paths.
package mql
