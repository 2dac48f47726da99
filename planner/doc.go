// Package planner turns SQL statements (the parser's AST) into mql
// processors, keeping PostgreSQL's semantics in the MQL it emits:
// three-valued logic, integer division, NULL propagation, aggregates that
// return NULL over no input.
//
// PlanSQL parses and plans a file; PlanStatement plans one statement into a
// Plan: its kind, its processor (for SELECT, INSERT, EXPLAIN and CREATE
// STREAM PROCESSOR) and the pipeline's lints. Every processor the planner
// returns has passed mql.Validate; a failure there is a planner bug and is
// reported as an internal error (XX000) naming the problem. Other errors
// are *Error with the position of the offending node and a SQLSTATE; parse
// errors are the parser's, unchanged.
//
// A SELECT is planned in this order (select.go): $source (FROM, TIMESTAMP
// BY, WITH), joins ($lookup/$unwind, join.go), WHERE ($match, in the query
// language where it agrees with SQL, else $expr; predicate.go), then either
// window functions ($setWindowFields, windowfn.go) and a final $project, or
// aggregation ($group … $project, inside the WINDOW clause's stage or at
// the top level; aggregate.go, window.go), and the sink of INSERT INTO.
// Expressions (expr.go, functions.go) are translated by a tr whose hooks
// say what a column, an aggregate and a window function mean in that
// clause: before grouping, columns are fields of the stream document;
// after it, only GROUP BY keys and aggregates exist.
//
// docs/sql.md documents each translation; its examples are golden cases in
// testdata/plan (TestDocsExamples checks that), and testdata/errors/plan_*.txt
// has one case per error kind. To debug a translation, add a case to
// testdata/plan and run go test ./planner -rewrite, then read the diff.
package planner
