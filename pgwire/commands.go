package pgwire

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
)

// The session statements below are PostgreSQL's, not weir's dialect:
// drivers send them on connect (SET extra_float_digits, SET
// application_name, SHOW transaction_isolation), psql's FETCH_COUNT wraps
// queries in cursors, and COPY TO STDOUT streams to psql.

// set handles SET [SESSION|LOCAL] name {=|TO} value[, …], SET TIME ZONE v,
// SET NAMES v and SET SESSION CHARACTERISTICS/TRANSACTION (accepted).
func (s *session) set(st stmtText) (*result, error) {
	t := st.toks[1:]
	if len(t) > 0 && (t[0].isWord("SESSION") || t[0].isWord("LOCAL")) && !(len(t) > 1 && t[1].isWord("AUTHORIZATION")) {
		t = t[1:]
	}
	if len(t) == 0 {
		return nil, &pgError{severity: "ERROR", code: codeSyntax, msg: "syntax error at end of input", pos: int32(len(st.sql))}
	}
	var name string
	switch {
	case t[0].isWord("TRANSACTION"), t[0].isWord("CHARACTERISTICS"):
		return command("SET"), nil
	case words(t, "TIME", "ZONE"):
		name, t = "TimeZone", t[2:]
	case t[0].isWord("NAMES"):
		name, t = "client_encoding", t[1:]
	default:
		name = t[0].name()
		t = t[1:]
		// Dotted custom settings: SET myapp.x = 1.
		for len(t) >= 2 && t[0].val == "." {
			name += "." + t[1].name()
			t = t[2:]
		}
		if len(t) > 0 && (t[0].val == "=" || t[0].isWord("TO")) {
			t = t[1:]
		} else {
			off := len(st.sql)
			if len(t) > 0 {
				off = t[0].off
			}
			return nil, &parseErr{off: off, msg: "syntax error: expected = or TO after SET " + name}
		}
	}
	var vals []string
	for _, v := range t {
		switch {
		case v.val == ",":
		case v.isWord("DEFAULT"), v.isWord("LOCAL"):
			vals = append(vals, defaultSettings().get(name))
		case v.kind == tkString, v.kind == tkIdent:
			vals = append(vals, v.val)
		default:
			if len(vals) > 0 && (v.val == "-" || v.kind == tkNumber && strings.HasSuffix(vals[len(vals)-1], "-")) {
				vals[len(vals)-1] += v.text
			} else {
				vals = append(vals, v.text)
			}
		}
	}
	val := strings.Join(vals, ", ")
	lname := strings.ToLower(name)
	if readOnly[lname] {
		return nil, newErr("55P02", fmt.Sprintf("parameter %q cannot be changed", name))
	}
	switch lname {
	case "client_encoding":
		if !isUTF8(val) {
			return nil, newErr(codeInvalidParameter, fmt.Sprintf("invalid value for parameter \"client_encoding\": %q; weir speaks UTF8 only", val))
		}
		val = "UTF8"
	case "timezone":
		if up := strings.ToUpper(val); up == "UTC" || up == "GMT" || up == "Z" || up == "ETC/UTC" || val == "0" || val == "+00" {
			val = "UTC"
		}
	case "datestyle":
		if !strings.HasPrefix(strings.ToUpper(val), "ISO") {
			return nil, newErr(codeInvalidParameter, "weir prints dates in ISO format only; use DateStyle ISO")
		}
	}
	res := command("SET")
	s.settings.set(name, val)
	if reported[lname] {
		res.status = append(res.status, &pgproto3.ParameterStatus{Name: s.settings.names[lname], Value: val})
	}
	return res, nil
}

// parseErr is a syntax error found by pgwire's own statements, at a byte
// offset in the statement.
type parseErr struct {
	off int
	msg string
}

func (e *parseErr) Error() string { return e.msg }

func (s *session) reset(st stmtText) (*result, error) {
	t := st.toks[1:]
	res := command("RESET")
	if len(t) == 0 {
		return nil, &parseErr{off: len(st.sql), msg: "syntax error at end of input"}
	}
	defs := defaultSettings()
	if t[0].isWord("ALL") {
		for k := range s.settings.vals {
			if !readOnly[k] && defs.has(k) {
				s.settings.set(k, defs.get(k))
			}
		}
		return res, nil
	}
	name := t[0].name()
	s.settings.set(name, defs.get(name))
	if reported[strings.ToLower(name)] {
		res.status = append(res.status, &pgproto3.ParameterStatus{Name: s.settings.names[strings.ToLower(name)], Value: defs.get(name)})
	}
	return res, nil
}

func (s *session) show(st stmtText) (*result, error) {
	t := st.toks[1:]
	if len(t) == 0 {
		return nil, &parseErr{off: len(st.sql), msg: "syntax error at end of input"}
	}
	if t[0].isWord("ALL") {
		var rows [][]any
		for _, k := range s.settings.sorted() {
			rows = append(rows, []any{s.settings.names[k], s.settings.vals[k], ""})
		}
		return rowsResult("SHOW", []column{{"name", oidText}, {"setting", oidText}, {"description", oidText}}, rows), nil
	}
	name := t[0].name()
	switch {
	case words(t, "TRANSACTION", "ISOLATION", "LEVEL"):
		name = "transaction_isolation"
	case words(t, "TIME", "ZONE"):
		name = "TimeZone"
	case words(t, "SESSION", "AUTHORIZATION"):
		name = "session_authorization"
	}
	if !s.settings.has(name) {
		return nil, &pgError{severity: "ERROR", code: codeUndefinedObject, msg: fmt.Sprintf("unrecognized configuration parameter %q", name), pos: 0}
	}
	v := s.settings.get(name)
	if strings.EqualFold(name, "session_authorization") && v == "" {
		v = s.user
	}
	return rowsResult("SHOW", []column{{strings.ToLower(name), oidText}}, [][]any{{v}}), nil
}

// portal is a bound statement (extended protocol) or a cursor: a result
// that is read a piece at a time.
type portal struct {
	stmt    *prepared
	params  []string
	formats []int16
	sql     string
	mapOff  func(int) int
	res     *result
}

func (p *portal) close() {
	if p.res != nil && p.res.rows != nil {
		p.res.rows.close()
	}
}

// declare handles DECLARE name [BINARY] [ASENSITIVE|INSENSITIVE] [[NO]
// SCROLL] CURSOR [WITH[OUT] HOLD] FOR query, inside a transaction block
// as PostgreSQL requires (psql's FETCH_COUNT opens one).
func (s *session) declare(st stmtText) (*result, error) {
	t := st.toks
	if len(t) < 2 {
		return nil, &parseErr{off: len(st.sql), msg: "syntax error at end of input"}
	}
	name := t[1].name()
	i := 2
	for i < len(t) && !t[i].isWord("FOR") {
		if t[i].isWord("BINARY") || t[i].isWord("SCROLL") && !(i > 2 && t[i-1].isWord("NO")) {
			return nil, newErr(codeFeatureNotSupport, "weir cursors are NO SCROLL text cursors")
		}
		i++
	}
	if i >= len(t)-1 {
		return nil, &parseErr{off: len(st.sql), msg: "syntax error: DECLARE needs FOR query"}
	}
	if s.txState == 'I' {
		return nil, newErr(codeNoActiveTx, "DECLARE CURSOR can only be used in transaction blocks")
	}
	if _, dup := s.cursors[name]; dup {
		return nil, newErr(codeDuplicateCursor, fmt.Sprintf("cursor %q already exists", name))
	}
	inner := st.sub(i+1, len(t))
	res, err := s.run(inner, nil)
	if err != nil {
		return nil, shiftErr(err, inner.off-st.off)
	}
	if res.rows == nil {
		return nil, newErr(codeSyntax, "DECLARE CURSOR needs a query that returns rows")
	}
	res.keep = true
	s.cursors[name] = &portal{res: res}
	return command("DECLARE CURSOR"), nil
}

// fetch handles FETCH [FORWARD|NEXT] [n|ALL] [FROM|IN] name.
func (s *session) fetch(st stmtText) (*result, error) {
	t := st.toks[1:]
	count := int64(1)
	for len(t) > 1 {
		switch {
		case t[0].isWord("FORWARD"), t[0].isWord("NEXT"), t[0].isWord("FROM"), t[0].isWord("IN"):
		case t[0].isWord("ALL"):
			count = 0
		case t[0].kind == tkNumber:
			n, err := strconv.ParseInt(t[0].text, 10, 64)
			if err != nil || n < 0 {
				return nil, &parseErr{off: t[0].off, msg: "FETCH count must be a non-negative integer"}
			}
			count = n
		default:
			return nil, newErr(codeFeatureNotSupport, fmt.Sprintf("FETCH %s is not supported: weir cursors move forward only", t[0].text))
		}
		t = t[1:]
	}
	if len(t) == 0 {
		return nil, &parseErr{off: len(st.sql), msg: "syntax error at end of input"}
	}
	c, ok := s.cursors[t[0].name()]
	if !ok {
		return nil, newErr(codeInvalidCursorName, fmt.Sprintf("cursor %q does not exist", t[0].name()))
	}
	cols, err := c.res.columns()
	if err != nil {
		return nil, err
	}
	// A fetch is a window on the cursor's rows.
	return &result{tag: "FETCH", countTag: true, cols: cols, keep: true,
		rows: &limitRows{src: c.res.rows, n: count}}, nil
}

// limitRows reads at most n rows (0: all) from a cursor.
type limitRows struct {
	src rowSource
	n   int64
	got int64
}

func (l *limitRows) next(beforeBlock func()) ([]any, bool, error) {
	if l.n > 0 && l.got >= l.n {
		return nil, false, nil
	}
	row, ok, err := l.src.next(beforeBlock)
	if ok {
		l.got++
	}
	return row, ok, err
}

func (l *limitRows) close() {}

func (s *session) closeCursor(st stmtText) (*result, error) {
	t := st.toks[1:]
	if len(t) == 0 {
		return nil, &parseErr{off: len(st.sql), msg: "syntax error at end of input"}
	}
	if t[0].isWord("ALL") {
		for name, c := range s.cursors {
			c.close()
			delete(s.cursors, name)
		}
		return command("CLOSE CURSOR ALL"), nil
	}
	name := t[0].name()
	c, ok := s.cursors[name]
	if !ok {
		return nil, newErr(codeInvalidCursorName, fmt.Sprintf("cursor %q does not exist", name))
	}
	c.close()
	delete(s.cursors, name)
	return command("CLOSE CURSOR"), nil
}

// copyStmt handles COPY (query) TO STDOUT [WITH] [(FORMAT text|csv,
// DELIMITER 'c', NULL 's', HEADER …)].
func (s *session) copyStmt(st stmtText) (*result, error) {
	t := st.toks
	if len(t) < 2 || t[1].val != "(" {
		return nil, newErr(codeFeatureNotSupport, "weir supports COPY (query) TO STDOUT only: streams have no COPY FROM")
	}
	depth, end := 0, -1
	for i := 1; i < len(t); i++ {
		if t[i].val == "(" {
			depth++
		} else if t[i].val == ")" {
			depth--
			if depth == 0 {
				end = i
				break
			}
		}
	}
	if end < 0 || end+2 >= len(t) || !t[end+1].isWord("TO") || !t[end+2].isWord("STDOUT") {
		return nil, newErr(codeFeatureNotSupport, "weir supports COPY (query) TO STDOUT only")
	}
	inner := st.sub(2, end)
	res, err := s.run(inner, nil)
	if err != nil {
		return nil, shiftErr(err, inner.off-st.off)
	}
	if res.rows == nil {
		return nil, newErr(codeSyntax, "COPY needs a query that returns rows")
	}
	res.copyOut, res.copyDelim, res.copyNull = true, '\t', `\N`
	opts := t[end+3:]
	for i := 0; i < len(opts); i++ {
		o := opts[i]
		next := func() string {
			if i+1 < len(opts) {
				i++
				return strings.ToLower(opts[i].val)
			}
			return ""
		}
		switch {
		case o.isWord("FORMAT"):
			switch f := next(); f {
			case "csv":
				res.copyCSV, res.copyDelim, res.copyNull = true, ',', ""
			case "text":
			default:
				res.finish()
				return nil, newErr(codeFeatureNotSupport, fmt.Sprintf("COPY format %q is not supported; use text or csv", f))
			}
		case o.isWord("CSV"):
			res.copyCSV, res.copyDelim, res.copyNull = true, ',', ""
		case o.isWord("DELIMITER"):
			if d := next(); len(d) == 1 {
				res.copyDelim = d[0]
			}
		case o.isWord("NULL"):
			if i+1 < len(opts) {
				i++
				res.copyNull = opts[i].val
			}
		}
	}
	return res, nil
}
