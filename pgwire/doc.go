// Package pgwire is weir's PostgreSQL wire protocol server (protocol 3.0,
// built on pgx v5's pgproto3), what `weir serve` runs so psql, pgx,
// node-postgres and JDBC clients run weir SQL.
//
// Lifecycle of a connection (server.go): the startup packet is read
// exactly (length checked before any allocation, nothing buffered past
// it, so TLS starts clean); SSLRequest gets 'S' and a handshake when TLS
// is configured, else 'N'; GSSENCRequest gets 'N'; a CancelRequest looks
// up the session by (pid, secret), cancels its running statement and
// closes without a reply. Authentication (auth.go) is trust on loopback,
// or SCRAM-SHA-256 (cleartext if configured) when a password is set. The
// session (session.go) then sends the ParameterStatus set libpq, pgJDBC
// and pgx check, BackendKeyData and ReadyForQuery.
//
// A session has two goroutines: a reader that copies each message
// (pgproto3 reuses its structs) into a small channel and turns EOF,
// Terminate or a malformed or oversized message into the cancellation of
// the session's context, and the session goroutine, the only writer. A
// query runs in a third goroutine (rows.go) that hands documents over a
// channel of 64: a slow client slows its own query, a vanished one
// cancels it at once, a CancelRequest ends it with 57014.
//
// Statements (statements.go, commands.go): a small tokenizer (sqltok.go)
// splits a Query message into statements and recognises what is not
// weir's SQL dialect — BEGIN/COMMIT/ROLLBACK, SET/SHOW/RESET,
// DECLARE/FETCH/CLOSE, COPY (…) TO STDOUT, DEALLOCATE, DISCARD — and
// queries over pg_catalog and information_schema. Everything else goes to
// the planner, and its plan to the Engine interface (exec.Engine). Errors
// carry SQLSTATE and a Position counted in characters over the whole
// text the client sent (errors.go holds the one table from engine error
// kinds to SQLSTATEs); the session survives them.
//
// Extended protocol (extended.go): Parse plans the statement with typed
// placeholders for its $n, so errors come at Parse and Describe knows the
// columns; Bind substitutes the values as SQL literals (the planner has
// no parameters); Execute honours row limits with PortalSuspended.
//
// The catalog (catalog*.go): pg_catalog and information_schema are
// virtual relations in a per-session in-memory SQLite database
// (modernc.org/sqlite, a private driver instance with the pg_ functions
// registered in Go, catalog_funcs.go), created with PostgreSQL 15's
// columns and built-in rows (catalog_pg15.go, generated from a real
// server) and refilled from the engine's connections, files and processors
// when they change (catalog.go, catalog_db.go). A catalog query is
// translated from PostgreSQL's SQL to SQLite's on the token stream
// (catalog_sql.go: OPERATOR(pg_catalog.~), ::regclass, COLLATE, E'…',
// = ANY(…), ARRAY[…] …) and SQLite evaluates it; result columns get
// PostgreSQL names and types from the select list. What the translation
// can't do is 0A000 (or 42xxx), and the session goes on. A catalog query
// is bounded (catalog.go, catalog_db.go): 5 seconds (57014), rows, bytes,
// value size and nesting (54000/54001); the translation is checked to be
// one SQLite statement that only reads (checkCatalogSQL, and
// FuzzCatalogSQL), and the database is query_only with nothing more to
// attach.
//
// Session settings (settings.go) are what SET/SHOW/RESET read and write,
// with the ParameterStatus set PostgreSQL 15 reports; WriteMetrics
// (metrics.go) is `weir serve --metrics`'s Prometheus text.
//
// Debugging: Server.Trace logs every message in pgproto3's trace format;
// `psql -E` shows the catalog queries psql sends.
package pgwire
