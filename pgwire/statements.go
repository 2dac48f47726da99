package pgwire

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/weir-stream/weir/parser"
	"github.com/weir-stream/weir/planner"
	"github.com/weir-stream/weir/planner/mql"
)

// result is what one statement produced: a command tag, or rows.
type result struct {
	rows rowSource
	// cols are the columns; nil with rows set means the first row decides
	// (SELECT *).
	cols []column
	tag  string
	// countTag appends the row count to tag ("SELECT 3", "FETCH 10").
	countTag bool
	sent     int64
	before   int64
	done     bool
	// keep leaves rows open after the statement (cursors own them).
	keep bool

	copyOut   bool
	copyCSV   bool
	copyDelim byte
	copyNull  string

	notices []*pgproto3.NoticeResponse
	status  []*pgproto3.ParameterStatus
}

func (r *result) columns() ([]column, error) {
	if r.cols == nil && r.rows != nil {
		if q, ok := r.rows.(*queryRows); ok {
			cols, err := q.columns()
			if err != nil {
				return nil, err
			}
			r.cols = cols
			if r.cols == nil {
				r.cols = []column{}
			}
		}
	}
	return r.cols, nil
}

func (r *result) finish() {
	if r.rows != nil && !r.keep {
		r.rows.close()
	}
}

func command(tag string) *result { return &result{tag: tag} }

func rowsResult(tag string, cols []column, rows [][]any) *result {
	return &result{tag: tag, countTag: tag == "SELECT" || tag == "FETCH", cols: cols, rows: &sliceRows{rows: rows}}
}

func notice(severity, code, msg string) *pgproto3.NoticeResponse {
	return &pgproto3.NoticeResponse{Severity: severity, SeverityUnlocalized: severity, Code: code, Message: msg}
}

func isTxEnd(t []token) bool {
	return words(t, "ROLLBACK") || words(t, "ABORT") || words(t, "COMMIT") || words(t, "END")
}

// run executes one statement. Parser and planner errors carry offsets
// relative to st.sql; the caller turns them into positions.
func (s *session) run(st stmtText, _ []string) (*result, error) {
	t := st.toks
	switch {
	case words(t, "BEGIN"), words(t, "START", "TRANSACTION"):
		tag := "BEGIN"
		if words(t, "START", "TRANSACTION") {
			tag = "START TRANSACTION" // PostgreSQL's tag for it
		}
		res := command(tag)
		if s.txState != 'I' {
			res.notices = append(res.notices, notice("WARNING", codeActiveTx, "there is already a transaction in progress"))
		} else {
			s.txState = 'T'
		}
		return res, nil
	case words(t, "COMMIT"), words(t, "END"):
		res := command("COMMIT")
		switch s.txState {
		case 'I':
			res.notices = append(res.notices, notice("WARNING", codeNoActiveTx, "there is no transaction in progress"))
		case 'E':
			res.tag = "ROLLBACK"
		}
		s.endTx()
		return res, nil
	case words(t, "ROLLBACK"), words(t, "ABORT"):
		res := command("ROLLBACK")
		if s.txState == 'I' {
			res.notices = append(res.notices, notice("WARNING", codeNoActiveTx, "there is no transaction in progress"))
		}
		s.endTx()
		return res, nil
	case words(t, "SET"):
		return s.set(st)
	case words(t, "RESET"):
		return s.reset(st)
	case words(t, "SHOW") && !words(t, "SHOW", "STREAM") && !words(t, "SHOW", "CONNECTIONS"):
		return s.show(st)
	case words(t, "DECLARE"):
		return s.declare(st)
	case words(t, "FETCH"), words(t, "MOVE"):
		return s.fetch(st)
	case words(t, "CLOSE"):
		return s.closeCursor(st)
	case words(t, "COPY"):
		return s.copyStmt(st)
	case words(t, "DEALLOCATE"):
		if len(t) > 1 && t[len(t)-1].isWord("ALL") {
			for name := range s.stmts {
				delete(s.stmts, name)
			}
			return command("DEALLOCATE ALL"), nil
		}
		if len(t) > 1 {
			delete(s.stmts, t[len(t)-1].name())
		}
		return command("DEALLOCATE"), nil
	case words(t, "DISCARD"):
		return command("DISCARD ALL"), nil
	case isCatalogQuery(t):
		return s.catalog(st)
	}
	return s.plan(st)
}

func (s *session) endTx() {
	s.txState = 'I'
	for name, c := range s.cursors {
		c.close()
		delete(s.cursors, name)
	}
}

// plan hands a statement of weir's dialect to the planner and runs it.
func (s *session) plan(st stmtText) (*result, error) {
	if err := checkNesting(st.toks, maxNesting); err != nil {
		return nil, err
	}
	sql := st.sql
	var shift func(int) int
	if words(st.toks, "SELECT") && !hasTopLevel(st.toks, "FROM") {
		sql, shift = s.rewriteConstants(st)
	}
	plans, err := planner.PlanSQL("", sql)
	if err != nil {
		if shift != nil {
			err = mapErrOffset(err, shift)
		}
		return nil, err
	}
	if len(plans) != 1 {
		return nil, newErr(codeSyntax, "expected one statement")
	}
	p := plans[0]
	res, err := s.runPlan(p)
	if err != nil {
		return nil, err
	}
	for _, w := range p.Warnings {
		if w.Extension && p.Kind == planner.KindSelect {
			// "Atlas refuses this" is about deploying a pipeline, not
			// about a query typed into psql.
			continue
		}
		res.notices = append(res.notices, notice("WARNING", "01000", strings.TrimPrefix(w.String(), "warning: ")))
	}
	return res, nil
}

func (s *session) runPlan(p *planner.Plan) (*result, error) {
	eng := s.srv.Engine
	switch p.Kind {
	case planner.KindSelect:
		return s.startSelect(p.Processor), nil
	case planner.KindExplain:
		text, err := mql.Encode(p.Processor, false)
		if err != nil {
			return nil, err
		}
		var rows [][]any
		for line := range strings.SplitSeq(strings.TrimRight(string(text), "\n"), "\n") {
			rows = append(rows, []any{line})
		}
		return rowsResult("EXPLAIN", []column{{"QUERY PLAN", oidText}}, rows), nil
	case planner.KindInsert:
		return nil, newErr(codeFeatureNotSupport, "INSERT … SELECT runs continuously: create it as a stream processor (CREATE STREAM PROCESSOR name AS INSERT …) and START it")
	case planner.KindCreateConnection:
		opts := map[string]any{}
		for _, o := range p.Connection.Options {
			opts[o.Key] = o.Value
		}
		if err := eng.CreateConnection(p.Name, p.Connection.Type, opts); err != nil {
			return nil, err
		}
		return command("CREATE CONNECTION"), nil
	case planner.KindCreateProcessor:
		if err := eng.CreateProcessor(p.Processor, p.OrReplace); err != nil {
			return nil, err
		}
		return command("CREATE STREAM PROCESSOR"), nil
	case planner.KindStartProcessor, planner.KindStopProcessor, planner.KindDropProcessor:
		var err error
		switch p.Kind {
		case planner.KindStartProcessor:
			err = eng.StartProcessor(p.Name)
		case planner.KindStopProcessor:
			err = eng.StopProcessor(p.Name)
		default:
			err = eng.DropProcessor(p.Name)
		}
		if err != nil && !(p.IfExists && isNotFound(err)) {
			return nil, err
		}
		return command(string(p.Kind)), nil
	case planner.KindShowProcessors:
		cols := []column{{"name", oidText}, {"state", oidText}, {"input_count", oidInt8}, {"output_count", oidInt8},
			{"dlq_count", oidInt8}, {"watermark", oidTimestamptz}, {"last_error", oidText}}
		var rows [][]any
		for _, pi := range eng.Processors() {
			var wm, lastErr any
			if !pi.Watermark.IsZero() {
				wm = pi.Watermark
			}
			if pi.LastError != "" {
				lastErr = pi.LastError
			}
			rows = append(rows, []any{pi.Name, string(pi.State), pi.In, pi.Out, pi.DLQ, wm, lastErr})
		}
		return rowsResult("SHOW", cols, rows), nil
	case planner.KindShowConnections:
		cols := []column{{"name", oidText}, {"type", oidText}, {"origin", oidText}, {"options", oidJSONB}}
		var rows [][]any
		for _, c := range eng.Connections() {
			rows = append(rows, []any{c.Name, c.Type, c.Origin, connOptions(c.Options)})
		}
		return rowsResult("SHOW", cols, rows), nil
	}
	return nil, newErr(codeFeatureNotSupport, fmt.Sprintf("%s is not supported over the wire", p.Kind))
}

func isNotFound(err error) bool {
	return toPgError(err, "", 0).code == codeUndefinedObject
}

// connOptions shows a connection's options with secrets masked.
func connOptions(opts map[string]any) any {
	out := make(map[string]any, len(opts))
	for k, v := range opts {
		lk := strings.ToLower(k)
		if strings.Contains(lk, "password") || strings.Contains(lk, "secret") || strings.Contains(lk, "token") {
			v = "********"
		}
		out[k] = v
	}
	return out
}

func (s *session) startSelect(p *mql.Processor) *result {
	cols, paths := planColumns(p)
	q := startQuery(s.ctx, s.srv.Engine, p, paths)
	return &result{tag: "SELECT", countTag: true, cols: cols, rows: q}
}

// hasTopLevel reports whether keyword w appears outside parentheses.
func hasTopLevel(toks []token, w string) bool {
	depth := 0
	for _, t := range toks {
		switch {
		case t.kind == tkOp && t.val == "(":
			depth++
		case t.kind == tkOp && t.val == ")":
			depth--
		case depth == 0 && t.isWord(w):
			return true
		}
	}
	return false
}

// rewriteConstants replaces the session functions PostgreSQL clients ask
// for in constant SELECTs (version(), current_database(), current_user …)
// with string literals, so the planner and the engine evaluate the rest.
// It returns the new text and a map from its offsets to st.sql's.
func (s *session) rewriteConstants(st stmtText) (string, func(int) int) {
	var b strings.Builder
	var segs []seg
	last := 0
	toks := st.toks
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind != tkWord {
			continue
		}
		name := strings.ToLower(t.text)
		end := i + 1
		isCall := end+1 < len(toks) && toks[end].val == "(" && toks[end+1].val == ")"
		if i > 0 && toks[i-1].val == "." {
			continue
		}
		var val string
		var ok bool
		switch name {
		case "current_user", "session_user", "user", "current_role":
			if !isCall {
				val, ok = s.user, true
			}
		case "current_catalog":
			val, ok = s.database, !isCall
		case "version":
			val, ok = versionString, isCall
		case "current_database":
			val, ok = s.database, isCall
		case "current_schema":
			val, ok = "public", true
		case "pg_backend_pid":
			val, ok = strconv.FormatUint(uint64(s.pid), 10), isCall
		case "current_setting":
			if end+2 < len(toks) && toks[end].val == "(" && toks[end+1].kind == tkString && toks[end+2].val == ")" {
				val, ok = s.settings.get(toks[end+1].val), true
				end += 3
			}
		}
		if !ok {
			continue
		}
		if isCall && name != "current_setting" {
			end += 2
		}
		stop := len(st.sql)
		if end < len(toks) {
			stop = toks[end].off
		}
		lit := quoteString(val)
		if name == "pg_backend_pid" {
			lit = val
		}
		// Name the column as PostgreSQL does, unless the query does.
		if end >= len(toks) || !(toks[end].isWord("AS") || toks[end].kind == tkIdent || toks[end].kind == tkWord && !toks[end].isWord("FROM")) {
			lit += ` AS "` + name + `" `
		} else {
			lit += " "
		}
		b.WriteString(st.sql[last:t.off])
		segs = append(segs, seg{newOff: b.Len(), oldOff: t.off, newLen: len(lit), oldLen: stop - t.off})
		b.WriteString(lit)
		last = stop
		i = end - 1
	}
	if len(segs) == 0 {
		return st.sql, nil
	}
	b.WriteString(st.sql[last:])
	return b.String(), segMapper(segs)
}

// seg is one replaced span: the text at oldOff (oldLen bytes) became
// newLen bytes at newOff.
type seg struct{ newOff, oldOff, newLen, oldLen int }

// segMapper maps an offset in rewritten text back to the original: inside
// a replacement it points at the replaced token.
func segMapper(segs []seg) func(int) int {
	return func(off int) int {
		delta := 0
		for _, sg := range segs {
			if off < sg.newOff {
				break
			}
			if off < sg.newOff+sg.newLen {
				return sg.oldOff
			}
			delta = sg.oldOff + sg.oldLen - (sg.newOff + sg.newLen)
		}
		return off + delta
	}
}

// mapErrOffset moves a parser or planner error's offset with f.
func mapErrOffset(err error, f func(int) int) error {
	var own *parseErr
	if errors.As(err, &own) {
		return &parseErr{off: f(own.off), msg: own.msg}
	}
	var perr *parser.Error
	if errors.As(err, &perr) {
		c := *perr
		c.Pos.Offset = f(c.Pos.Offset)
		return &c
	}
	var plerr *planner.Error
	if errors.As(err, &plerr) {
		c := *plerr
		if c.Pos.Line > 0 {
			c.Pos.Offset = f(c.Pos.Offset)
		}
		return &c
	}
	return err
}

func shiftErr(err error, delta int) error {
	return mapErrOffset(err, func(o int) int { return o + delta })
}

// sub is the statement from token i on (DECLARE … FOR query, COPY (query)).
func (st stmtText) sub(i, j int) stmtText {
	if i >= len(st.toks) {
		return stmtText{off: st.off + len(st.sql)}
	}
	start := st.toks[i].off
	end := len(st.sql)
	if j < len(st.toks) {
		end = st.toks[j].off
	}
	toks := make([]token, 0, j-i)
	for _, t := range st.toks[i:min(j, len(st.toks))] {
		t.off -= start
		toks = append(toks, t)
	}
	return stmtText{sql: strings.TrimSpace(st.sql[start:end]), off: st.off + start, toks: toks}
}
