package pgwire

import (
	"context"
	"errors"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/weir-stream/weir/exec"
	"github.com/weir-stream/weir/parser"
	"github.com/weir-stream/weir/planner"
)

// SQLSTATEs pgwire itself raises.
const (
	codeSyntax             = "42601"
	codeUndefinedObject    = "42704"
	codeDuplicateObject    = "42710"
	codeFeatureNotSupport  = "0A000"
	codeDataException      = "22000"
	codeInvalidParameter   = "22023"
	codeInvalidText        = "22P02"
	codeProtocolViolation  = "08P01"
	codeInvalidPassword    = "28P01"
	codeInvalidAuthSpec    = "28000"
	codeQueryCanceled      = "57014"
	codeAdminShutdown      = "57P01"
	codeInFailedTx         = "25P02"
	codeNoActiveTx         = "25P01"
	codeActiveTx           = "25001"
	codeInvalidStmtName    = "26000"
	codeInvalidCursorName  = "34000"
	codeDuplicatePrepared  = "42P05"
	codeDuplicateCursor    = "42P03"
	codeUndefinedTable     = "42P01"
	codeInvalidState       = "55000"
	codeInternal           = "XX000"
	codeIndeterminateParam = "42P18"
	codeTooManyConnections = "53300"
)

// pgError is an error on its way to the client as an ErrorResponse.
type pgError struct {
	severity string // ERROR or FATAL
	code     string
	msg      string
	hint     string
	detail   string
	// pos is a 1-based character position in the text the client sent;
	// 0 for none.
	pos int32
}

func (e *pgError) Error() string { return e.msg }

func newErr(code, msg string) *pgError { return &pgError{severity: "ERROR", code: code, msg: msg} }

func fatal(code, msg string) *pgError { return &pgError{severity: "FATAL", code: code, msg: msg} }

func (e *pgError) response() *pgproto3.ErrorResponse {
	return &pgproto3.ErrorResponse{Severity: e.severity, SeverityUnlocalized: e.severity, Code: e.code, Message: e.msg,
		Hint: e.hint, Detail: e.detail, Position: e.pos}
}

// engineCodes is the one table from the engine's error kinds to SQLSTATEs
// (STYLE.md §8); parser and planner errors carry their SQLSTATE already.
var engineCodes = []struct {
	err  error
	code string
}{
	{exec.ErrNotFound, codeUndefinedObject},
	{exec.ErrExists, codeDuplicateObject},
	{exec.ErrUnsupported, codeFeatureNotSupport},
	{exec.ErrInvalidState, codeInvalidState},
	{exec.ErrInvalid, codeInvalidParameter},
	{context.Canceled, codeQueryCanceled},
}

// toPgError turns any error into what the client sees. text is the whole
// string the client sent and base the byte offset of the statement within
// it, so a parser or planner position (relative to the statement) becomes
// the 1-based character position libpq draws its caret under.
func toPgError(err error, text string, base int) *pgError {
	var pe *pgError
	if errors.As(err, &pe) {
		return pe
	}
	var own *parseErr
	if errors.As(err, &own) {
		return &pgError{severity: "ERROR", code: codeSyntax, msg: own.msg, pos: charPos(text, base+own.off)}
	}
	var perr *parser.Error
	if errors.As(err, &perr) {
		return &pgError{severity: "ERROR", code: orCode(perr.Code, codeSyntax), msg: perr.Msg, pos: charPos(text, base+perr.Pos.Offset)}
	}
	var plerr *planner.Error
	if errors.As(err, &plerr) {
		e := &pgError{severity: "ERROR", code: orCode(plerr.Code, codeInternal), msg: plerr.Msg}
		if plerr.Pos.Line > 0 {
			e.pos = charPos(text, base+plerr.Pos.Offset)
		}
		return e
	}
	for _, c := range engineCodes {
		if errors.Is(err, c.err) {
			return newErr(c.code, err.Error())
		}
	}
	// Runtime failures of a query (a bad file, a connector error) are not
	// bugs in weir: XX000 makes some drivers (Npgsql) drop the
	// connection, so they are reported as 58000 system_error.
	return newErr("58000", err.Error())
}

func orCode(code, def string) string {
	if code == "" {
		return def
	}
	return code
}

// charPos converts a byte offset in text to PostgreSQL's Position: 1-based,
// counted in characters, one past the end for "end of input".
func charPos(text string, off int) int32 {
	if off < 0 {
		off = 0
	}
	if off > len(text) {
		off = len(text)
	}
	return int32(utf8.RuneCountInString(text[:off]) + 1)
}
