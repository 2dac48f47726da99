// Package registry is weir's one explicit registry of connection kinds
// (file, kafka, mongodb): how a connection is named and configured, and
// which connector serves each stage on it.
//
// # Where connections come from
//
// ParseFlag reads --conn NAME=URI (file:DIR, kafka://…, mongodb://… or
// mongodb+srv://…); Registry.LoadConfig reads a config file (--config
// weir.yaml, docs/connections.md describes it); FromOptions reads CREATE
// CONNECTION's type and options. All three end in one function, build,
// which checks the options against the kind's Spec (names, types,
// allowed values, required ones) before the kind's own parser
// (kafka.FromMap, the MongoDB driver's URI parser) sees them. Specs is the
// table of kinds and options; RenderDocs turns it into
// docs/connections.md, and a test fails when that file is stale.
//
// Secrets (a Kafka SASL password, a MongoDB URI or password) may be
// written env:VAR and are read from the environment at start-up; an
// unset variable is an error then, not an authentication failure later.
// Connection.String and Options never show a secret.
//
// # Opening connectors
//
// Registry.Open takes a planned processor and opens what each stage
// needs — the $source, every $lookup target, the $merge or $emit sink,
// the DLQ — as the maps exec.BuildEnv takes. Each connection is checked
// when opened, within its connect timeout (kafka dial_timeout, mongodb
// connect_timeout, or OpenOptions.ConnectTimeout), with errors naming the
// stage, the connection and its address: start-up fails fast instead of
// retrying quietly. One MongoDB client serves every stage of a
// processor on the same connection; Opened.Close closes the connectors,
// then the clients.
//
// What a kind can't serve is an error wrapping ErrUnsupported (a Kafka
// $lookup, a $merge with a whenMatched pipeline), so a caller can fall
// back to the reference runner or say so.
//
// This package imports the connector packages and planner/mql, never
// exec: the runtime depends on connectors, not the other way round.
package registry
