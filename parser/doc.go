// Package parser owns weir's SQL dialect: the participle grammar, the AST the
// planner consumes, canonical printing, and syntax errors. It imports no
// other weir package.
//
// # Lifecycle
//
// Parse(filename, src) lexes and parses src with the participle grammar in
// grammar.go (one struct per rule; docs/grammar.ebnf is generated from it),
// then convert.go turns the capture structs into the closed set of AST nodes
// in ast.go, checking what the grammar can't say (window argument counts,
// interval text, type names, LIMIT, JOIN … ON). Every node has a Pos (file,
// line, column, byte offset); operator nodes point at their operator. Format
// prints any node as canonical SQL, and Inspect walks a tree.
//
// # Invariants
//
//   - Parse never panics: a bug surfaces as an *Error with Code XX000, and
//     FuzzParse hunts for those.
//   - Format(Parse(x)) parses to the same AST as x, positions aside; every
//     golden case and every fuzz input that parses is checked.
//   - All errors are *Error with SQLSTATE 42601 and a file:line:col message.
//
// # The dialect in brief
//
// Keywords are case-insensitive; identifiers are case-sensitive and keep
// their case; "double" or `back` quotes take any character. Only the words
// in grammar.go's reserved list (PostgreSQL's, roughly: SELECT, FROM, END,
// IN, ORDER, …) need quoting as names; TIMESTAMP, KEY, VALUE, DATE, MINUTE
// and the like stay usable as field names. conn.topic and conn.db.coll are
// kept as dotted parts; the planner decides what they name.
//
//	SELECT [DISTINCT] items FROM conn.topic [AS] a [TIMESTAMP BY expr] [WITH (k = v, …)]
//	  [[LEFT [OUTER] | INNER] JOIN conn.db.coll [AS] b ON expr]
//	  [CROSS JOIN UNNEST(expr) [AS] c | , UNNEST(expr) [AS] c]
//	  [WHERE expr]
//	  [WINDOW TUMBLE(size) | HOP(slide, size) | SESSION(gap)
//	     [ALLOWED LATENESS interval] [IDLE TIMEOUT interval]]
//	  [GROUP BY expr, …] [HAVING expr] [ORDER BY expr [ASC|DESC] [NULLS FIRST|LAST], …]
//	  [LIMIT n | $n]
//
// The WINDOW clause reads best between WHERE and GROUP BY (rows are filtered,
// then windowed, then grouped) and is printed there; it is also accepted
// after GROUP BY. HOP takes the slide first, as Flink and RisingWave do.
// Intervals are INTERVAL '5' MINUTE or INTERVAL '5 minutes', one
// non-negative quantity in milliseconds, seconds, minutes, hours or days.
// Expressions follow PostgreSQL's precedence: OR < AND < NOT < IS < comparison
// < BETWEEN/IN/LIKE/ILIKE < || < + - < * / % < unary - < :: < [ ].
//
// Statements: SELECT, INSERT INTO name SELECT, EXPLAIN stmt, CREATE
// CONNECTION name TO type (k = v, …), CREATE [OR REPLACE] STREAM PROCESSOR
// name [WITH (…)] AS INSERT … | AS MQL '<json>', START/STOP/DROP STREAM
// PROCESSOR [IF EXISTS] name, SHOW STREAM PROCESSORS, SHOW CONNECTIONS;
// several per input, separated by ';'.
//
// Not supported yet: subqueries, UNION, named windows (OVER w), escape strings (E'\n'),
// OFFSET.
//
// # Debugging
//
// The golden files are testdata/parse/*.txt (command parse prints canonical
// SQL, ast prints the tree with positions) and testdata/errors/parse_*.txt;
// `go test ./parser -rewrite` regenerates them and docs/grammar.ebnf. To see
// which grammar rule participle tried where, parse with a trace:
//
//	sqlParser.ParseString("q.sql", src, participle.Trace(os.Stderr))
//
// A surprising parse is usually a non-reserved keyword read as a name (or the
// reverse): the lexer's Keyword token holds only the reserved words; every
// other keyword is an Ident matched case-insensitively.
package parser
