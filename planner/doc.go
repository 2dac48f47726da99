// Package planner turns SQL statements (the parser's AST) into mql
// pipelines, keeping PostgreSQL's semantics in the MQL it emits: three-valued
// logic, integer division, NULL-returning aggregates over no input.
package planner
