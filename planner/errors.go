package planner

import (
	"fmt"

	"github.com/weir-stream/weir/parser"
)

// SQLSTATE codes the planner reports. pgwire sends them to clients as they
// are, so each names the PostgreSQL condition a client would expect.
const (
	CodeUndefinedTable     = "42P01" // unknown alias in q.* or a qualifier
	CodeDuplicateAlias     = "42712" // two FROM/JOIN entries with one alias
	CodeDuplicateColumn    = "42701" // two output columns with one name
	CodeGrouping           = "42803" // neither grouped nor aggregated; aggregates where none may be
	CodeWindowing          = "42P20" // WINDOW_START without WINDOW, window functions misplaced
	CodeUndefinedFunction  = "42883" // unknown function or wrong argument count
	CodeUndefinedParameter = "42P02" // $n outside the extended query protocol
	CodeFeatureNotSupport  = "0A000" // valid SQL weir can't run (yet)
	CodeSyntax             = "42601" // a statement shape the grammar accepts but the planner can't
	CodeInvalidParameter   = "22023" // a bad option value or name
	CodeDivisionByZero     = "22012" // a constant division by zero
	CodeDatetimeFormat     = "22007" // a TIMESTAMP literal that isn't one
	CodeInvalidText        = "22P02" // a constant that isn't text of the cast's type ('maybe'::BOOLEAN)
	CodeDatatypeMismatch   = "42804" // an argument of the wrong kind (LIMIT 'x', a non-constant pattern)
	CodeInternal           = "XX000" // a planner bug: the pipeline it built failed validation
)

// Error is a planning error at a position in the SQL text. Code is a
// SQLSTATE. Parse errors are returned as the parser's *parser.Error,
// unchanged.
type Error struct {
	Pos  parser.Pos
	Msg  string
	Code string
}

// Error formats as file:line:col: message, like parser.Error, so editors
// and psql's caret treat both alike.
func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Pos, e.Msg) }

func errorf(n parser.Node, code, format string, args ...any) *Error {
	var pos parser.Pos
	if n != nil {
		pos = n.Position()
	}
	return &Error{Pos: pos, Code: code, Msg: fmt.Sprintf(format, args...)}
}
