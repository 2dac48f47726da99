package parser

import "fmt"

// SQLSTATE codes the parser reports; pgwire sends them to clients as is.
const (
	CodeSyntax   = "42601" // syntax_error
	CodeInternal = "XX000" // internal_error: a parser bug, never the user's fault
)

// Error is a syntax error at a position. Code is a SQLSTATE.
type Error struct {
	Pos  Pos
	Msg  string
	Code string
}

// Error formats as file:line:col: message, the form editors jump to.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Pos, e.Msg)
}
