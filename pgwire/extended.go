package pgwire

import (
	"fmt"
	"github.com/weir-stream/weir/parser"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
)

// maxParams is the protocol's own bound (an Int16 count); more $n than
// that in a statement is refused before anything is allocated for them.
const maxParams = 65535

// prepared is a parsed statement of the extended protocol.
type prepared struct {
	text string
	st   stmtText
	// oids are the parameters' types as described to the client; untyped
	// marks those neither the client nor a cast typed (described as text,
	// bound by the value's look, see decodeParam).
	oids    []uint32
	untyped []bool
	// described caches the result columns (nil: not yet; rows false:
	// the statement returns none).
	described bool
	rows      bool
	cols      []column
}

// castTypes maps the type names of $n::type casts to OIDs.
var castTypes = map[string]uint32{
	"INT": oidInt4, "INT4": oidInt4, "INTEGER": oidInt4, "INT2": oidInt2, "SMALLINT": oidInt2,
	"INT8": oidInt8, "BIGINT": oidInt8, "TEXT": oidText, "VARCHAR": oidVarchar,
	"FLOAT8": oidFloat8, "FLOAT4": oidFloat4, "REAL": oidFloat4, "DOUBLE": oidFloat8, "NUMERIC": oidNumeric, "DECIMAL": oidNumeric,
	"BOOL": oidBool, "BOOLEAN": oidBool, "TIMESTAMPTZ": oidTimestamptz, "TIMESTAMP": oidTimestamptz,
	"JSONB": oidJSONB, "JSON": oidJSON,
}

func (s *session) parse(m *pgproto3.Parse) error {
	if m.Name != "" {
		if _, dup := s.stmts[m.Name]; dup {
			return newErr(codeDuplicatePrepared, fmt.Sprintf("prepared statement %q already exists", m.Name))
		}
	}
	stmts := splitStatements(m.Query)
	if len(stmts) > 1 {
		return newErr(codeSyntax, "cannot insert multiple commands into a prepared statement")
	}
	p := &prepared{text: m.Query}
	if len(stmts) == 1 {
		p.st = stmts[0]
	}
	n := len(m.ParameterOIDs)
	for _, t := range p.st.toks {
		if t.kind == tkParam {
			k, err := strconv.Atoi(t.val)
			if err != nil || k < 1 || k > maxParams {
				return &parseErr{off: p.st.off + t.off, msg: fmt.Sprintf("there is no parameter %s", t.text)}
			}
			n = max(n, k)
		}
	}
	p.oids = make([]uint32, n)
	p.untyped = make([]bool, n)
	for i := range n {
		if i < len(m.ParameterOIDs) && m.ParameterOIDs[i] != 0 {
			p.oids[i] = m.ParameterOIDs[i]
		} else {
			p.untyped[i] = true
		}
	}
	toks := p.st.toks
	for i, t := range toks {
		if t.kind != tkParam {
			continue
		}
		k, _ := strconv.Atoi(t.val)
		switch {
		case i+2 < len(toks) && toks[i+1].val == "::":
			if oid, ok := castTypes[toks[i+2].val]; ok {
				p.oids[k-1], p.untyped[k-1] = oid, false
			}
		case i > 0 && (toks[i-1].isWord("LIMIT") || toks[i-1].isWord("OFFSET")):
			p.oids[k-1], p.untyped[k-1] = oidInt8, false
		}
	}
	// Untyped parameters are described as 0, "unspecified": drivers then
	// encode a value by its own type (pgx sends an int as 100, a string as
	// is) and weir reads it by its look (decodeParam). Describing them as
	// text would make pgx refuse ints, and the fields they are compared
	// with have no declared type to infer one from.
	// Plan now with placeholder values, so errors come at Parse (where
	// drivers expect them) and Describe knows the columns.
	if err := s.describeStmt(p); err != nil {
		return err
	}
	s.stmts[m.Name] = p
	s.be.Send(&pgproto3.ParseComplete{})
	return nil
}

// placeholders are the stand-ins for a prepared statement's parameters
// while it is checked and described.
func placeholders(p *prepared) []string {
	vals := make([]string, len(p.oids))
	for i, oid := range p.oids {
		vals[i] = placeholder(oid)
		if p.untyped[i] {
			vals[i] = "NULL"
		}
	}
	return vals
}

// sessionStatement reports whether pgwire runs a statement itself
// (transactions, settings, cursors, COPY) rather than the planner.
func sessionStatement(t []token) bool {
	for _, w := range []string{"BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SET", "RESET", "SHOW", "DECLARE", "FETCH", "MOVE", "CLOSE", "COPY", "DEALLOCATE", "DISCARD"} {
		if words(t, w) {
			return true
		}
	}
	return isCatalogQuery(t)
}

// placeholder is a typed stand-in for a parameter while describing.
func placeholder(oid uint32) string {
	switch oid {
	case oidInt2, oidInt4, oidInt8, oidOID:
		return "0"
	case oidFloat4, oidFloat8, oidNumeric:
		return "0.0"
	case oidBool:
		return "FALSE"
	case oidTimestamptz:
		return "TIMESTAMP '2000-01-01T00:00:00Z'"
	}
	return "''"
}

// bindText substitutes literal values for the parameters and returns the
// new text and a map from its offsets back to the statement's.
func bindText(st stmtText, vals []string) (string, func(int) int) {
	var b strings.Builder
	var segs []seg
	last := 0
	for _, t := range st.toks {
		if t.kind != tkParam {
			continue
		}
		k, _ := strconv.Atoi(t.val)
		if k < 1 || k > len(vals) {
			continue
		}
		b.WriteString(st.sql[last:t.off])
		segs = append(segs, seg{newOff: b.Len(), oldOff: t.off, newLen: len(vals[k-1]), oldLen: len(t.text)})
		b.WriteString(vals[k-1])
		last = t.off + len(t.text)
	}
	b.WriteString(st.sql[last:])
	return b.String(), segMapper(segs)
}

// describeStmt plans p with placeholders to validate it and learn its
// columns; statements that run something (CREATE, START …) are not run.
func (s *session) describeStmt(p *prepared) error {
	if len(p.st.toks) == 0 {
		p.described = true
		return nil
	}
	t := p.st.toks
	returnsRows := words(t, "SELECT") || words(t, "EXPLAIN") || words(t, "SHOW") || words(t, "FETCH") || words(t, "WITH") || words(t, "VALUES")
	if !returnsRows {
		p.described = true
		if sessionStatement(t) {
			return nil
		}
		// A statement for the planner is not run at Parse (CREATE STREAM
		// PROCESSOR must not start anything before Execute), but its
		// syntax is checked, so a typo fails at Parse as in PostgreSQL.
		if err := checkNesting(t, maxNesting); err != nil {
			return err
		}
		sql, mapOff := bindText(p.st, placeholders(p))
		if _, err := parser.Parse("", sql); err != nil {
			return mapErrOffset(err, func(o int) int { return p.st.off + mapOff(o) })
		}
		return nil
	}
	if words(t, "FETCH") {
		// Columns depend on the cursor at execution time.
		return nil
	}
	sql, mapOff := bindText(p.st, placeholders(p))
	st := stmtText{sql: sql, toks: tokenize(sql)}
	res, err := s.run(st, nil)
	if err != nil {
		return mapErrOffset(err, func(o int) int { return p.st.off + mapOff(o) })
	}
	defer res.finish()
	p.described, p.rows = true, res.rows != nil
	if res.rows != nil && res.cols != nil {
		p.cols = res.cols
	} else if res.rows != nil {
		// SELECT *: the columns come from the first row, known only
		// once it runs with real values (Describe of the portal).
		p.described = false
		p.rows = true
	}
	return nil
}

func (s *session) bind(m *pgproto3.Bind) error {
	p, ok := s.stmts[m.PreparedStatement]
	if !ok {
		return newErr(codeInvalidStmtName, fmt.Sprintf("prepared statement %q does not exist", m.PreparedStatement))
	}
	if len(m.Parameters) != len(p.oids) {
		return newErr(codeProtocolViolation, fmt.Sprintf("bind message supplies %d parameters, but prepared statement %q requires %d", len(m.Parameters), m.PreparedStatement, len(p.oids)))
	}
	if s.txState == 'E' {
		return newErr(codeInFailedTx, "current transaction is aborted, commands ignored until end of transaction block")
	}
	vals := make([]string, len(m.Parameters))
	for i, raw := range m.Parameters {
		oid := p.oids[i]
		if p.untyped[i] {
			oid = 0
		}
		v, err := decodeParam(raw, oid, formatFor(m.ParameterFormatCodes, i))
		if err != nil {
			return newErr(codeInvalidText, fmt.Sprintf("parameter $%d: %v", i+1, err))
		}
		vals[i] = v
	}
	if old, ok := s.portals[m.DestinationPortal]; ok {
		if m.DestinationPortal != "" {
			return newErr("42P03", fmt.Sprintf("portal %q already exists", m.DestinationPortal))
		}
		old.close()
	}
	sql, mapOff := bindText(p.st, vals)
	s.portals[m.DestinationPortal] = &portal{stmt: p, params: vals, formats: m.ResultFormatCodes, sql: sql, mapOff: mapOff}
	s.be.Send(&pgproto3.BindComplete{})
	return nil
}

// start runs a portal's statement the first time it is needed.
func (s *session) start(pt *portal) error {
	if pt.res != nil {
		return nil
	}
	if len(pt.stmt.st.toks) == 0 {
		pt.res = &result{}
		return nil
	}
	st := stmtText{sql: pt.sql, toks: tokenize(pt.sql)}
	res, err := s.run(st, nil)
	if err != nil {
		return mapErrOffset(err, func(o int) int { return pt.stmt.st.off + pt.mapOff(o) })
	}
	pt.res = res
	return nil
}

func (s *session) describe(m *pgproto3.Describe) error {
	switch m.ObjectType {
	case 'S':
		p, ok := s.stmts[m.Name]
		if !ok {
			return newErr(codeInvalidStmtName, fmt.Sprintf("prepared statement %q does not exist", m.Name))
		}
		s.be.Send(&pgproto3.ParameterDescription{ParameterOIDs: p.oids})
		if !p.described && p.rows {
			// SELECT *: run it with the placeholders to see a first row.
			vals := make([]string, len(p.oids))
			for i, oid := range p.oids {
				vals[i] = placeholder(oid)
			}
			sql, _ := bindText(p.st, vals)
			res, err := s.run(stmtText{sql: sql, toks: tokenize(sql)}, nil)
			if err != nil {
				return err
			}
			cols, err := res.columns()
			res.finish()
			if err != nil {
				return err
			}
			p.cols, p.described = cols, true
		}
		if !p.rows {
			s.be.Send(&pgproto3.NoData{})
			return nil
		}
		s.be.Send(&pgproto3.RowDescription{Fields: fieldDescs(p.cols, nil)})
		return nil
	case 'P':
		pt, ok := s.portals[m.Name]
		if !ok {
			return newErr(codeInvalidCursorName, fmt.Sprintf("portal %q does not exist", m.Name))
		}
		if pt.stmt.described && !pt.stmt.rows {
			s.be.Send(&pgproto3.NoData{})
			return nil
		}
		if err := s.start(pt); err != nil {
			return err
		}
		return s.describeResult(pt.res, pt.formats)
	}
	return newErr(codeProtocolViolation, fmt.Sprintf("invalid DESCRIBE message subtype %d", m.ObjectType))
}

func (s *session) execute(m *pgproto3.Execute) error {
	pt, ok := s.portals[m.Portal]
	if !ok {
		return newErr(codeInvalidCursorName, fmt.Sprintf("portal %q does not exist", m.Portal))
	}
	if len(pt.stmt.st.toks) == 0 {
		s.be.Send(&pgproto3.EmptyQueryResponse{})
		return nil
	}
	if pt.res != nil && pt.res.done {
		// Executing a finished portal again returns no more rows.
		s.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(pt.res.tag + " 0")})
		return nil
	}
	if err := s.start(pt); err != nil {
		return err
	}
	if pt.res.copyOut && m.MaxRows > 0 {
		return newErr(codeFeatureNotSupport, "COPY cannot be executed with a row limit")
	}
	suspended, err := s.streamRows(pt.res, pt.formats, m.MaxRows)
	if err != nil {
		return err
	}
	if !suspended {
		pt.res.done = true
		pt.close()
	}
	return nil
}

func (s *session) closeMsg(m *pgproto3.Close) error {
	switch m.ObjectType {
	case 'S':
		delete(s.stmts, m.Name)
	case 'P':
		if pt, ok := s.portals[m.Name]; ok {
			pt.close()
			delete(s.portals, m.Name)
		}
	default:
		return newErr(codeProtocolViolation, fmt.Sprintf("invalid CLOSE message subtype %d", m.ObjectType))
	}
	s.be.Send(&pgproto3.CloseComplete{})
	return nil
}
