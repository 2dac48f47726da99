package pgwire

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The translation of PostgreSQL catalog queries to SQLite, on the token
// stream. It rewrites what PostgreSQL spells differently and leaves the
// query's structure (joins, sub-selects, UNION, CASE, ORDER BY, LIMIT) to
// SQLite:
//
//   - OPERATOR(pg_catalog.~), ~, !~, ~*, !~* become REGEXP and MATCH (Go's
//     regexp, case-folded for MATCH); LIKE is PostgreSQL's (case-sensitive,
//     backslash escapes) and ILIKE becomes GLOB, both registered in Go;
//   - casts: ::oid and the integer types, ::text, ::name, ::bool, arrays;
//     'name'::regclass (and regtype, regnamespace, regrole) is the OID,
//     looked up at translation; x::regclass of a column is the name;
//   - COLLATE … is dropped, E'…' and $$…$$ strings become plain ones;
//   - pg_catalog.f(…) is f(…); functions that need the session's catalog
//     become sub-selects (pg_table_is_visible, pg_get_viewdef,
//     pg_table_size), session values become literals (current_user,
//     current_database(), current_schemas(…), current_setting('…'));
//   - arrays are JSON inside SQLite: ARRAY[…], ARRAY(SELECT …), = ANY(…),
//     <> ALL(…), a[i], unnest(…) and generate_series(…) in FROM;
//   - IS [NOT] DISTINCT FROM, TRIM(… FROM …), SUBSTRING(… FROM … FOR …),
//     POSITION(… IN …), LIMIT ALL, FETCH FIRST n ROWS ONLY.
//
// What it cannot translate is an error with SQLSTATE 0A000 (or 42xxx for
// what PostgreSQL would refuse too) at the token's position.

type pieceKind uint8

const (
	pkOperand pieceKind = iota
	pkOp
	pkKeyword
)

type piece struct {
	text string
	kind pieceKind
	// str is a string literal's value ('orders'::regclass).
	str *string
	// caseStart, on an END, is the index of its CASE piece.
	caseStart int
	// fold, on LIKE or REGEXP, makes it ILIKE or ~*: its operands are
	// wrapped once the sequence is complete (foldOperands).
	fold bool
	// depth counts the wrappings of an operand in place (x::a::b, x[1][2],
	// CASE … END::t inside another): each copies the text so far, so
	// their number is bounded like the nesting of parentheses.
	depth int
}

// maxCatalogNesting bounds the nesting of parentheses and brackets, and of
// wrappings in place, in a catalog query. The translation recurses and
// copies once per level (so it would take time quadratic in the query,
// and stack without bound); psql's deepest query nests 6.
const maxCatalogNesting = 100

func tooDeep(off int) error {
	return catalogPosErr(off, "54001", fmt.Sprintf("catalog query nests more than %d levels deep", maxCatalogNesting))
}

// maxNesting bounds the parentheses and brackets of any statement before
// the planner's recursive descent parser reads it: 200,000 of them (400 kB,
// under the message limit) overflow the goroutine's stack, which is fatal
// to the whole process, not a panic.
const maxNesting = 1000

// checkNesting refuses statements nested more than limit deep, with
// PostgreSQL's 54001.
func checkNesting(toks []token, limit int) error {
	depth := 0
	for _, tk := range toks {
		if tk.kind != tkOp {
			continue
		}
		switch tk.val {
		case "(", "[":
			if depth++; depth > limit {
				if limit == maxCatalogNesting {
					return tooDeep(tk.off)
				}
				return catalogPosErr(tk.off, "54001", fmt.Sprintf("stack depth limit exceeded: the statement nests more than %d levels deep", limit))
			}
		case ")", "]":
			depth--
		}
	}
	return nil
}

// wrap gives p, built from the pieces from, their depth plus one.
func wrap(p piece, off int, from ...piece) (piece, error) {
	for _, f := range from {
		p.depth = max(p.depth, f.depth+1)
	}
	if p.depth > maxCatalogNesting {
		return piece{}, tooDeep(off)
	}
	return p, nil
}

type translator struct {
	s  *session
	cs *catState
	n  int
}

// translateCatalog returns the SQLite text of a catalog query.
func translateCatalog(st stmtText, s *session, cs *catState) (string, error) {
	t := st.toks
	if len(t) == 0 {
		return "", newErr(codeSyntax, "syntax error at end of input")
	}
	// SQLite reads the text up to a NUL; PostgreSQL refuses one.
	if i := strings.IndexByte(st.sql, 0); i >= 0 {
		return "", catalogPosErr(i, "22021", "invalid byte sequence for encoding \"UTF8\": 0x00")
	}
	if err := checkNesting(t, maxCatalogNesting); err != nil {
		return "", err
	}
	for i, tk := range t {
		if tk.isWord("ATTACH") || tk.isWord("DETACH") || tk.isWord("PRAGMA") {
			return "", catalogPosErr(tk.off, codeFeatureNotSupport, fmt.Sprintf("%s is not supported in catalog queries", tk.text))
		}
		if tk.kind == tkWord && (writeWords[tk.val] || tk.val == "REPLACE" && i+1 < len(t) && t[i+1].isWord("INTO")) &&
			!(i+1 < len(t) && t[i+1].val == "(") && !(i > 0 && t[i-1].val == ".") {
			return "", catalogPosErr(tk.off, "42501", "permission denied: pg_catalog and information_schema are read-only")
		}
	}
	prefix := ""
	lead := 0
	for lead < len(t)-1 && t[lead].kind == tkOp && t[lead].val == "(" {
		lead++
	}
	switch {
	case lead > 0 && !t[lead].isWord("SELECT") && !t[lead].isWord("WITH") && !t[lead].isWord("VALUES"):
		return "", catalogPosErr(t[lead].off, codeSyntax, fmt.Sprintf("syntax error at or near %q", t[lead].text))
	case t[0].isWord("SELECT"), t[0].isWord("WITH"), t[0].isWord("VALUES"), t[0].val == "(":
	case t[0].isWord("TABLE"):
		prefix, t = "SELECT * FROM ", t[1:]
	default:
		return "", catalogPosErr(t[0].off, "42501", "permission denied: pg_catalog and information_schema are read-only")
	}
	tr := &translator{s: s, cs: cs}
	ps, err := tr.seq(t)
	if err != nil {
		return "", err
	}
	return prefix + join(ps), nil
}

func join(ps []piece) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.text)
	}
	return b.String()
}

func operand(text string) piece { return piece{text: text, kind: pkOperand} }

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func sqlIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// matchClose finds the token closing toks[i] ("(" or "["); -1 if none.
func matchClose(toks []token, i int) int {
	open, close := toks[i].val, ")"
	if open == "[" {
		close = "]"
	}
	depth := 0
	for j := i; j < len(toks); j++ {
		if toks[j].kind != tkOp {
			continue
		}
		switch toks[j].val {
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// splitTop splits toks at commas outside parentheses and brackets.
func splitTop(toks []token) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range toks {
		if t.kind != tkOp {
			continue
		}
		switch t.val {
		case "(", "[":
			depth++
		case ")", "]":
			depth--
		case ",":
			if depth == 0 {
				out = append(out, toks[start:i])
				start = i + 1
			}
		}
	}
	if len(toks) > 0 {
		out = append(out, toks[start:])
	}
	return out
}

// sqlKeywords are words that are never a column, alias or operand.
var sqlKeywords = map[string]bool{}

func init() {
	for w := range strings.FieldsSeq(`SELECT FROM WHERE AND OR NOT AS ON JOIN LEFT RIGHT INNER OUTER FULL CROSS NATURAL CASE WHEN
		THEN ELSE END IN IS LIKE ILIKE BETWEEN EXISTS ORDER BY GROUP HAVING LIMIT OFFSET UNION ALL DISTINCT ASC DESC NULLS
		FIRST LAST WITH RECURSIVE VALUES OVER PARTITION FILTER ESCAPE USING INTERSECT EXCEPT ANY SOME WINDOW FETCH FOR INTO`) {
		sqlKeywords[w] = true
	}
}

// writeWords start statements that change data, which the catalog refuses
// wherever they are (WITH x AS (DELETE …)).
var writeWords = map[string]bool{"INSERT": true, "UPDATE": true, "DELETE": true, "CREATE": true, "DROP": true,
	"ALTER": true, "TRUNCATE": true, "VACUUM": true, "REINDEX": true, "GRANT": true, "REVOKE": true}

// regexOps are PostgreSQL's pattern operators in SQLite.
var regexOps = map[string]string{
	"~": "REGEXP", "!~": "NOT REGEXP", "~*": "REGEXP", "!~*": "NOT REGEXP",
	"~~": "LIKE", "!~~": "NOT LIKE", "~~*": "LIKE", "!~~*": "NOT LIKE",
}

var plainOps = map[string]bool{
	"=": true, "<>": true, "<": true, ">": true, "<=": true, ">=": true, "+": true, "-": true, "*": true,
	"/": true, "%": true, "||": true, ",": true,
}

// splitOp splits an operator token as PostgreSQL's lexer does: a
// multi-character operator ends in + or - only if it has one of ~!@#%^&|`?
// ("=-1" is "=" and "-1").
func splitOp(op string) []string {
	if len(op) > 1 && (op[len(op)-1] == '+' || op[len(op)-1] == '-') && !strings.ContainsAny(op, "~!@#%^&|`?") {
		return append(splitOp(op[:len(op)-1]), op[len(op)-1:])
	}
	return []string{op}
}

func (tr *translator) opPiece(op string, off int) (piece, error) {
	if op == "!=" {
		op = "<>"
	}
	if r, ok := regexOps[op]; ok {
		return piece{text: r, kind: pkOp, fold: strings.HasSuffix(op, "*")}, nil
	}
	if plainOps[op] {
		return piece{text: op, kind: pkOp}, nil
	}
	return piece{}, catalogPosErr(off, codeFeatureNotSupport, fmt.Sprintf("operator %s is not supported in catalog queries", op))
}

func (tr *translator) seq(toks []token) ([]piece, error) {
	var out []piece
	var cases []int
	inFrom := false
	isOp := func(i int, v string) bool { return i < len(toks) && toks[i].kind == tkOp && toks[i].val == v }
	for i := 0; i < len(toks); {
		t := toks[i]
		switch t.kind {
		case tkSemi:
			i++
			continue
		case tkString:
			v := t.val
			out = append(out, piece{text: sqlString(v), kind: pkOperand, str: &v})
			i++
			continue
		case tkNumber:
			out = append(out, operand(strings.ReplaceAll(t.val, "_", "")))
			i++
			continue
		case tkParam:
			return nil, catalogPosErr(t.off, "42P02", fmt.Sprintf("there is no parameter %s", t.text))
		case tkOp:
			switch t.val {
			case "(":
				j := matchClose(toks, i)
				if j < 0 {
					return nil, catalogPosErr(t.off, codeSyntax, "syntax error: unbalanced parentheses")
				}
				inner, err := tr.seq(toks[i+1 : j])
				if err != nil {
					return nil, err
				}
				out = append(out, operand("("+join(inner)+")"))
				i = j + 1
				continue
			case "[":
				j := matchClose(toks, i)
				if j < 0 || len(out) == 0 || out[len(out)-1].kind != pkOperand {
					return nil, catalogPosErr(t.off, codeSyntax, `syntax error at or near "["`)
				}
				idx, err := tr.seq(toks[i+1 : j])
				if err != nil {
					return nil, err
				}
				for _, p := range idx {
					if p.text == ":" {
						return nil, catalogPosErr(t.off, codeFeatureNotSupport, "array slices are not supported in catalog queries")
					}
				}
				last := out[len(out)-1]
				p, err := wrap(operand("pg_subscript("+last.text+", "+join(idx)+")"), t.off, last)
				if err != nil {
					return nil, err
				}
				out[len(out)-1] = p
				i = j + 1
				continue
			case "::":
				start := len(out) - 1
				if start < 0 || out[start].kind != pkOperand && !(out[start].text == "END" && out[start].kind == pkKeyword) {
					return nil, catalogPosErr(t.off, codeSyntax, `syntax error at or near "::"`)
				}
				if out[start].text == "END" && out[start].kind == pkKeyword {
					start = out[start].caseStart
				}
				typ, array, next, err := parseTypeName(toks, i+1)
				if err != nil {
					return nil, err
				}
				var p piece
				if start == len(out)-1 {
					p = out[start]
				} else {
					p = operand("(" + join(out[start:]) + ")")
				}
				c, err := tr.cast(p, typ, array, toks[i+1].off)
				if err != nil {
					return nil, err
				}
				if c, err = wrap(c, t.off, out[start:]...); err != nil {
					return nil, err
				}
				out = append(out[:start], c)
				i = next
				continue
			case ")", "]":
				return nil, catalogPosErr(t.off, codeSyntax, fmt.Sprintf("syntax error at or near %q", t.val))
			}
			for _, op := range splitOp(t.val) {
				p, err := tr.opPiece(op, t.off)
				if err != nil {
					return nil, err
				}
				out = append(out, p)
			}
			i++
			continue
		}
		// Words and quoted identifiers.
		w := ""
		if t.kind == tkWord {
			w = t.val
		}
		switch {
		case w == "OPERATOR" && isOp(i+1, "("):
			j := matchClose(toks, i+1)
			if j < 0 {
				return nil, catalogPosErr(t.off, codeSyntax, "syntax error in OPERATOR()")
			}
			var op strings.Builder
			for _, x := range toks[i+2 : j] {
				op.WriteString(x.text)
			}
			o := op.String()
			if len(o) > len("pg_catalog.") && strings.EqualFold(o[:len("pg_catalog.")], "pg_catalog.") {
				o = o[len("pg_catalog."):]
			}
			p, err := tr.opPiece(o, t.off)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
			i = j + 1
		case w == "COLLATE":
			i++
			for i < len(toks) && (toks[i].kind == tkWord || toks[i].kind == tkIdent) {
				i++
				if isOp(i, ".") {
					i++
				} else {
					break
				}
			}
		case w == "ARRAY" && isOp(i+1, "["):
			j := matchClose(toks, i+1)
			if j < 0 {
				return nil, catalogPosErr(t.off, codeSyntax, "syntax error in ARRAY[]")
			}
			inner, err := tr.seq(toks[i+2 : j])
			if err != nil {
				return nil, err
			}
			out = append(out, operand("json_array("+join(inner)+")"))
			i = j + 1
		case w == "ARRAY" && isOp(i+1, "("):
			j := matchClose(toks, i+1)
			if j < 0 {
				return nil, catalogPosErr(t.off, codeSyntax, "syntax error in ARRAY()")
			}
			inner, err := tr.seq(toks[i+2 : j])
			if err != nil {
				return nil, err
			}
			tr.n++
			a := fmt.Sprintf("_a%d", tr.n)
			out = append(out, operand(fmt.Sprintf("(WITH %s(v) AS (%s) SELECT json_group_array(v) FROM %s)", a, join(inner), a)))
			i = j + 1
		case (w == "ANY" || w == "SOME" || w == "ALL") && isOp(i+1, "(") && len(out) >= 2 && out[len(out)-1].kind == pkOp:
			j := matchClose(toks, i+1)
			if j < 0 {
				return nil, catalogPosErr(t.off, codeSyntax, "syntax error in ANY()")
			}
			p, err := tr.anyAll(w == "ALL", out[len(out)-2], out[len(out)-1].text, toks[i+2:j], t.off)
			if err != nil {
				return nil, err
			}
			if p, err = wrap(p, t.off, out[len(out)-2]); err != nil {
				return nil, err
			}
			out = append(out[:len(out)-2], p)
			i = j + 1
		case w == "TRUE" || w == "FALSE" || w == "NULL":
			out = append(out, operand(w))
			i++
		case (w == "CURRENT_USER" || w == "SESSION_USER" || w == "USER" || w == "CURRENT_ROLE") && !isOp(i+1, "("):
			out = append(out, operand(sqlString(tr.s.user)))
			i++
		case w == "CURRENT_CATALOG" && !isOp(i+1, "("):
			out = append(out, operand(sqlString(tr.s.database)))
			i++
		case w == "CURRENT_SCHEMA" && !isOp(i+1, "("):
			out = append(out, operand(sqlString("public")))
			i++
		case w == "CAST" && isOp(i+1, "("):
			j := matchClose(toks, i+1)
			if j < 0 {
				return nil, catalogPosErr(t.off, codeSyntax, "syntax error in CAST()")
			}
			inner := toks[i+2 : j]
			as := -1
			depth := 0
			for k, x := range inner {
				switch {
				case x.val == "(":
					depth++
				case x.val == ")":
					depth--
				case depth == 0 && x.isWord("AS"):
					as = k
				}
			}
			if as < 0 {
				return nil, catalogPosErr(t.off, codeSyntax, "syntax error in CAST(): expected AS")
			}
			e, err := tr.seq(inner[:as])
			if err != nil {
				return nil, err
			}
			typ, array, _, err := parseTypeName(inner, as+1)
			if err != nil {
				return nil, err
			}
			p := operand("(" + join(e) + ")")
			if len(e) == 1 {
				p = e[0]
			}
			c, err := tr.cast(p, typ, array, inner[as+1].off)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
			i = j + 1
		case (w == "TRIM" || w == "SUBSTRING" || w == "POSITION") && isOp(i+1, "("):
			j := matchClose(toks, i+1)
			if j < 0 {
				return nil, catalogPosErr(t.off, codeSyntax, "syntax error in "+w+"()")
			}
			p, err := tr.special(w, toks[i+2:j], t.off)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
			i = j + 1
		case w == "EXTRACT" || w == "OVERLAY" || w == "LATERAL" || w == "SIMILAR" || w == "ROW" && isOp(i+1, "(") ||
			w == "INTERVAL" || w == "TABLESAMPLE" || w == "ORDINALITY":
			return nil, catalogPosErr(t.off, codeFeatureNotSupport, fmt.Sprintf("%s is not supported in catalog queries", t.text))
		case w == "DISTINCT" && i+1 < len(toks) && toks[i+1].isWord("ON"):
			return nil, catalogPosErr(t.off, codeFeatureNotSupport, "DISTINCT ON is not supported in catalog queries")
		case w == "ILIKE":
			out = append(out, piece{text: "LIKE", kind: pkOp, fold: true})
			i++
		case w == "LIKE":
			out = append(out, piece{text: "LIKE", kind: pkOp})
			i++
		case w == "IS" && i+2 < len(toks) && toks[i+1].isWord("DISTINCT") && toks[i+2].isWord("FROM"):
			out = append(out, piece{text: "IS NOT", kind: pkOp})
			i += 3
		case w == "IS" && i+3 < len(toks) && toks[i+1].isWord("NOT") && toks[i+2].isWord("DISTINCT") && toks[i+3].isWord("FROM"):
			out = append(out, piece{text: "IS", kind: pkOp})
			i += 4
		case w == "IS" && i+1 < len(toks) && toks[i+1].isWord("UNKNOWN"):
			out = append(out, piece{text: "IS NULL", kind: pkOp})
			i += 2
		case w == "LIMIT" && i+1 < len(toks) && toks[i+1].isWord("ALL"):
			i += 2
		case w == "FETCH" && i+1 < len(toks) && (toks[i+1].isWord("FIRST") || toks[i+1].isWord("NEXT")):
			// FETCH FIRST [n] ROW[S] ONLY
			j := i + 2
			n := "1"
			if j < len(toks) && toks[j].kind == tkNumber {
				n = toks[j].val
				j++
			}
			for j < len(toks) && (toks[j].isWord("ROW") || toks[j].isWord("ROWS") || toks[j].isWord("ONLY")) {
				j++
			}
			out = append(out, piece{text: "LIMIT " + n, kind: pkKeyword})
			i = j
		case (w == "ROW" || w == "ROWS") && len(out) > 0 && len(out) > 1 && out[len(out)-2].text == "OFFSET":
			i++
		case w == "CASE":
			cases = append(cases, len(out))
			out = append(out, piece{text: "CASE", kind: pkKeyword})
			i++
		case w == "END":
			p := piece{text: "END", kind: pkKeyword}
			if len(cases) > 0 {
				p.caseStart = cases[len(cases)-1]
				cases = cases[:len(cases)-1]
			}
			out = append(out, p)
			i++
		case w != "" && sqlKeywords[w]:
			switch w {
			case "FROM", "JOIN":
				inFrom = true
			case "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "UNION", "INTERSECT", "EXCEPT", "ON", "USING", "WINDOW", "OFFSET", "SELECT":
				inFrom = false
			}
			kind := pkKeyword
			if w == "AND" || w == "OR" || w == "IN" || w == "IS" || w == "NOT" || w == "BETWEEN" || w == "ESCAPE" {
				kind = pkOp
			}
			out = append(out, piece{text: w, kind: kind})
			i++
		default:
			// A name, maybe qualified, maybe a function call.
			parts := []token{t}
			j := i + 1
			star := false
			for j+1 < len(toks) && isOp(j, ".") && (toks[j+1].kind == tkWord || toks[j+1].kind == tkIdent) {
				parts = append(parts, toks[j+1])
				j += 2
			}
			for _, p := range parts {
				if n := strings.ToLower(p.name()); sqliteInternal(n) {
					if isOp(j, "(") {
						return nil, catalogPosErr(p.off, "42883", fmt.Sprintf("function %s does not exist", n))
					}
					return nil, catalogPosErr(p.off, codeUndefinedTable, fmt.Sprintf("relation %q does not exist", n))
				}
			}
			if isOp(j, ".*") || isOp(j, ".") && j+1 < len(toks) && toks[j+1].val == "*" {
				star = true
				if toks[j].val == ".*" {
					j++
				} else {
					j += 2
				}
			}
			if !star && isOp(j, "(") {
				k := matchClose(toks, j)
				if k < 0 {
					return nil, catalogPosErr(toks[j].off, codeSyntax, "syntax error: unbalanced parentheses")
				}
				prevFrom := inFrom && len(out) > 0 && (out[len(out)-1].text == "FROM" || out[len(out)-1].text == "JOIN" || out[len(out)-1].text == ",")
				p, next, err := tr.call(parts, toks, j, k, prevFrom)
				if err != nil {
					return nil, err
				}
				out = append(out, p)
				i = next
				continue
			}
			names := make([]string, len(parts))
			for k, p := range parts {
				if p.kind == tkIdent {
					names[k] = sqlIdent(p.val)
				} else {
					names[k] = p.text
				}
			}
			text := strings.Join(names, ".")
			if star {
				text += ".*"
			}
			out = append(out, operand(text))
			i = j
		}
	}
	return foldOperands(out), nil
}

// sqliteInternal reports whether a name is one of SQLite's own, which a
// catalog query does not reach: its schema tables (sqlite_schema), its
// pragmas as table-valued functions (pragma_database_list), its page-level
// tables (sqlite_dbpage, dbstat) and functions (sqlite_version(),
// load_extension()).
func sqliteInternal(name string) bool {
	return strings.HasPrefix(name, "sqlite_") || strings.HasPrefix(name, "pragma_") || name == "dbstat" ||
		name == "load_extension" || name == "fts3_tokenizer"
}

// foldOperands makes the case-insensitive pattern operators: x ILIKE y is
// lower(x) LIKE lower(y), x ~* y is x REGEXP '(?i)' || y.
func foldOperands(ps []piece) []piece {
	for i, p := range ps {
		if !p.fold || i == 0 || i+1 >= len(ps) || ps[i-1].kind != pkOperand || ps[i+1].kind != pkOperand {
			continue
		}
		if strings.HasSuffix(p.text, "LIKE") {
			ps[i-1] = operand("lower(" + ps[i-1].text + ")")
			ps[i+1] = operand("lower(" + ps[i+1].text + ")")
		} else {
			ps[i+1] = operand("('(?i)' || " + ps[i+1].text + ")")
		}
	}
	return ps
}

// parseTypeName reads a type name at toks[i]: qualified, multi-word
// (double precision, character varying, timestamp with time zone), with a
// typmod and [] ignored but noted.
func parseTypeName(toks []token, i int) (name string, array bool, next int, err error) {
	if i >= len(toks) || toks[i].kind != tkWord && toks[i].kind != tkIdent {
		off := 0
		if i < len(toks) {
			off = toks[i].off
		} else if len(toks) > 0 {
			off = toks[len(toks)-1].off
		}
		return "", false, i, catalogPosErr(off, codeSyntax, "syntax error: expected a type name")
	}
	last := toks[i]
	i++
	for i+1 < len(toks) && toks[i].kind == tkOp && toks[i].val == "." && (toks[i+1].kind == tkWord || toks[i+1].kind == tkIdent) {
		last = toks[i+1]
		i += 2
	}
	name = last.name()
	switch {
	case name == "double" && i < len(toks) && toks[i].isWord("PRECISION"):
		name, i = "double precision", i+1
	case name == "character" && i < len(toks) && toks[i].isWord("VARYING"):
		name, i = "character varying", i+1
	case (name == "timestamp" || name == "time") && i+2 < len(toks) && (toks[i].isWord("WITH") || toks[i].isWord("WITHOUT")) && toks[i+1].isWord("TIME"):
		name, i = name+" "+strings.ToLower(toks[i].val)+" time zone", i+3
	}
	if i < len(toks) && toks[i].val == "(" {
		if j := matchClose(toks, i); j > 0 {
			i = j + 1
		}
	}
	for i+1 < len(toks) && toks[i].val == "[" && toks[i+1].val == "]" {
		array = true
		i += 2
	}
	if a, ok := typeAliases[name]; ok {
		name = a
	}
	return name, array, i, nil
}

// cast translates p::typ.
func (tr *translator) cast(p piece, typ string, array bool, off int) (piece, error) {
	if array {
		return operand("pg_array(" + p.text + ")"), nil
	}
	lit := p.str
	switch typ {
	case "regclass":
		if lit != nil {
			oid, err := tr.cs.resolveRel(*lit, off)
			if err != nil {
				return piece{}, err
			}
			return operand(strconv.FormatUint(uint64(oid), 10)), nil
		}
		return operand(fmt.Sprintf("coalesce((SELECT name FROM main.weir_regclass WHERE oid = (%s)), %s)", p.text, p.text)), nil
	case "regtype":
		if lit != nil {
			name := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(*lit), "pg_catalog."))
			if a, ok := typeAliases[name]; ok {
				name = a
			}
			if strings.HasSuffix(name, "[]") {
				if e := pgTypeByName(strings.TrimSuffix(name, "[]")); e != nil {
					name = "_" + e.name
				}
			}
			t := pgTypeByName(name)
			if t == nil {
				return piece{}, catalogPosErr(off, codeUndefinedObject, fmt.Sprintf("type %q does not exist", *lit))
			}
			return operand(strconv.FormatUint(uint64(t.oid), 10)), nil
		}
		return operand("format_type(" + p.text + ", NULL)"), nil
	case "regnamespace":
		if lit != nil {
			oid, ok := tr.cs.nss[identName(*lit)]
			if !ok {
				return piece{}, catalogPosErr(off, "3F000", fmt.Sprintf("schema %q does not exist", *lit))
			}
			return operand(strconv.FormatUint(uint64(oid), 10)), nil
		}
		return operand(fmt.Sprintf("coalesce((SELECT nspname FROM pg_catalog.pg_namespace WHERE oid = (%s)), %s)", p.text, p.text)), nil
	case "regrole":
		if lit != nil {
			oid, ok := tr.cs.roles[identName(*lit)]
			if !ok {
				return piece{}, catalogPosErr(off, codeUndefinedObject, fmt.Sprintf("role %q does not exist", *lit))
			}
			return operand(strconv.FormatUint(uint64(oid), 10)), nil
		}
		return operand("pg_get_userbyid(" + p.text + ")"), nil
	case "regproc", "regprocedure":
		if lit != nil {
			return piece{}, catalogPosErr(off, "42883", fmt.Sprintf("function %q does not exist", *lit))
		}
		return operand(fmt.Sprintf("coalesce((SELECT proname FROM pg_catalog.pg_proc WHERE oid = (%s)), %s)", p.text, p.text)), nil
	case "oid", "int2", "int4", "int8", "xid", "cid":
		return operand("CAST(" + p.text + " AS INTEGER)"), nil
	case "text", "name", "varchar", "bpchar", "char", "unknown":
		return operand("CAST(" + p.text + " AS TEXT)"), nil
	case "bool":
		return operand("pg_bool(" + p.text + ")"), nil
	case "float4", "float8", "numeric":
		return operand("CAST(" + p.text + " AS REAL)"), nil
	case "json", "jsonb", "pg_node_tree", "aclitem":
		return p, nil
	case "int2vector", "oidvector":
		return operand("pg_array(" + p.text + ")"), nil
	}
	if pgTypeByName(typ) == nil {
		return piece{}, catalogPosErr(off, codeUndefinedObject, fmt.Sprintf("type %q does not exist", typ))
	}
	return piece{}, catalogPosErr(off, codeFeatureNotSupport, fmt.Sprintf("casts to %s are not supported in catalog queries", typ))
}

// identName reads one identifier as PostgreSQL does: quoted as written,
// else lower-cased.
func identName(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return strings.ToLower(s)
}

// splitQualified splits a qualified name ('a.b', '"x.y"') into its parts.
func splitQualified(s string) []string {
	var parts []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' && quoted && i+1 < len(s) && s[i+1] == '"':
			cur.WriteString(`""`)
			i++
		case c == '"':
			quoted = !quoted
			cur.WriteByte(c)
		case c == '.' && !quoted:
			parts = append(parts, identName(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(parts, identName(cur.String()))
}

// resolveRel is 'name'::regclass: the OID of a relation, searched for
// along the search path when unqualified.
func (cs *catState) resolveRel(name string, off int) (uint32, error) {
	parts := splitQualified(name)
	if len(parts) == 3 {
		parts = parts[1:]
	}
	switch len(parts) {
	case 1:
		for _, ns := range append([]string{"pg_catalog"}, cs.path...) {
			if oid, ok := cs.rels[ns+"\x00"+parts[0]]; ok {
				return oid, nil
			}
		}
	case 2:
		if oid, ok := cs.rels[parts[0]+"\x00"+parts[1]]; ok {
			return oid, nil
		}
	}
	return 0, catalogPosErr(off, codeUndefinedTable, fmt.Sprintf("relation %q does not exist", name))
}

// anyAll translates x op ANY(array or sub-select) and x op ALL(…).
func (tr *translator) anyAll(all bool, x piece, op string, inner []token, off int) (piece, error) {
	if x.kind != pkOperand {
		return piece{}, catalogPosErr(off, codeFeatureNotSupport, "this form of ANY/ALL is not supported in catalog queries")
	}
	sub := len(inner) > 0 && (inner[0].isWord("SELECT") || inner[0].isWord("WITH") || inner[0].isWord("VALUES"))
	ps, err := tr.seq(inner)
	if err != nil {
		return piece{}, err
	}
	a := join(ps)
	set := a
	if !sub {
		set = "SELECT value FROM json_each(" + a + ")"
	}
	switch {
	case op == "=" && !all:
		return operand("(" + x.text + " IN (" + set + "))"), nil
	case op == "<>" && all:
		return operand("(" + x.text + " NOT IN (" + set + "))"), nil
	case sub:
		return piece{}, catalogPosErr(off, codeFeatureNotSupport, fmt.Sprintf("%s %s (SELECT …) is not supported in catalog queries", op, map[bool]string{true: "ALL", false: "ANY"}[all]))
	case !all:
		return operand(fmt.Sprintf("EXISTS (SELECT 1 FROM json_each(%s) WHERE %s %s value)", a, x.text, op)), nil
	}
	return operand(fmt.Sprintf("NOT EXISTS (SELECT 1 FROM json_each(%s) WHERE NOT (%s %s value))", a, x.text, op)), nil
}

// special translates TRIM, SUBSTRING and POSITION, which have syntax of
// their own.
func (tr *translator) special(w string, inner []token, off int) (piece, error) {
	find := func(word string) int {
		depth := 0
		for k, x := range inner {
			switch {
			case x.val == "(":
				depth++
			case x.val == ")":
				depth--
			case depth == 0 && x.isWord(word):
				return k
			}
		}
		return -1
	}
	sq := func(ts []token) (string, error) {
		ps, err := tr.seq(ts)
		return join(ps), err
	}
	switch w {
	case "POSITION":
		k := find("IN")
		if k < 0 {
			return piece{}, catalogPosErr(off, codeSyntax, "syntax error in POSITION(): expected IN")
		}
		a, err := sq(inner[:k])
		if err != nil {
			return piece{}, err
		}
		b, err := sq(inner[k+1:])
		if err != nil {
			return piece{}, err
		}
		return operand("instr(" + b + ", " + a + ")"), nil
	case "SUBSTRING":
		k := find("FROM")
		if k < 0 {
			s, err := sq(inner)
			return operand("substr(" + s + ")"), err
		}
		s, err := sq(inner[:k])
		if err != nil {
			return piece{}, err
		}
		rest := inner[k+1:]
		length := ""
		if f := find("FOR"); f > k {
			l, err := sq(inner[f+1:])
			if err != nil {
				return piece{}, err
			}
			length = ", " + l
			rest = inner[k+1 : f]
		}
		from, err := sq(rest)
		if err != nil {
			return piece{}, err
		}
		return operand("substr(" + s + ", " + from + length + ")"), nil
	}
	// TRIM([LEADING|TRAILING|BOTH] [chars] FROM s) or TRIM(s[, chars])
	fn := "trim"
	if len(inner) > 0 {
		switch {
		case inner[0].isWord("LEADING"):
			fn, inner = "ltrim", inner[1:]
		case inner[0].isWord("TRAILING"):
			fn, inner = "rtrim", inner[1:]
		case inner[0].isWord("BOTH"):
			inner = inner[1:]
		}
	}
	k := find("FROM")
	if k < 0 {
		s, err := sq(inner)
		return operand(fn + "(" + s + ")"), err
	}
	s, err := sq(inner[k+1:])
	if err != nil {
		return piece{}, err
	}
	if k == 0 {
		return operand(fn + "(" + s + ")"), nil
	}
	chars, err := sq(inner[:k])
	if err != nil {
		return piece{}, err
	}
	return operand(fn + "(" + s + ", " + chars + ")"), nil
}

// call translates a function call: toks[j] is its "(" and toks[k] its
// ")"; inFrom says it is a relation in FROM. It returns the index after
// what it consumed (a FROM function's alias too).
func (tr *translator) call(parts []token, toks []token, j, k int, inFrom bool) (piece, int, error) {
	name := strings.ToLower(parts[len(parts)-1].name())
	off := parts[0].off
	if len(parts) > 2 || len(parts) == 2 && parts[0].name() != "pg_catalog" {
		q := make([]string, len(parts))
		for i, p := range parts {
			q[i] = p.name()
		}
		return piece{}, 0, catalogPosErr(off, "42883", fmt.Sprintf("function %s does not exist", strings.Join(q, ".")))
	}
	inner := toks[j+1 : k]
	args := splitTop(inner)
	arg := func(n int) (piece, error) {
		if n >= len(args) || len(args[n]) == 0 {
			return piece{}, catalogPosErr(off, "42883", fmt.Sprintf("function %s needs %d arguments", name, n+1))
		}
		ps, err := tr.seq(args[n])
		if err != nil {
			return piece{}, err
		}
		if len(ps) == 1 {
			return ps[0], nil
		}
		return operand("(" + join(ps) + ")"), nil
	}
	all := func() (string, error) {
		ps, err := tr.seq(inner)
		return join(ps), err
	}
	next := k + 1
	renamed := map[string]string{
		"string_agg": "group_concat", "array_agg": "json_group_array", "bool_or": "max", "bool_and": "min",
		"every": "min", "char_length": "length", "character_length": "length", "strpos": "instr", "btrim": "trim",
		"greatest": "max", "least": "min",
	}
	switch name {
	case "unnest", "generate_series":
		if !inFrom {
			return piece{}, 0, catalogPosErr(off, codeFeatureNotSupport, fmt.Sprintf("%s() is supported in FROM only in catalog queries", name))
		}
		alias, col := name, name
		if next < len(toks) && toks[next].isWord("AS") {
			next++
		}
		if next < len(toks) && (toks[next].kind == tkIdent || toks[next].kind == tkWord && !sqlKeywords[toks[next].val]) {
			alias, col = toks[next].name(), toks[next].name()
			next++
			if next < len(toks) && toks[next].val == "(" {
				c := matchClose(toks, next)
				if c == next+2 {
					col = toks[next+1].name()
				}
				if c > 0 {
					next = c + 1
				}
			}
		}
		tr.n++
		if name == "unnest" {
			a, err := arg(0)
			if err != nil {
				return piece{}, 0, err
			}
			return operand(fmt.Sprintf("(SELECT value AS %s FROM json_each(%s)) AS %s", sqlIdent(col), a.text, sqlIdent(alias))), next, nil
		}
		from, err := arg(0)
		if err != nil {
			return piece{}, 0, err
		}
		to, err := arg(1)
		if err != nil {
			return piece{}, 0, err
		}
		step := "1"
		if len(args) > 2 {
			s, err := arg(2)
			if err != nil {
				return piece{}, 0, err
			}
			step = s.text
		}
		g := fmt.Sprintf("_g%d", tr.n)
		return operand(fmt.Sprintf("(WITH RECURSIVE %s(v) AS (SELECT %s WHERE %s <= %s UNION ALL SELECT v + %s FROM %s WHERE v + %s <= %s) SELECT v AS %s FROM %s) AS %s",
			g, from.text, from.text, to.text, step, g, step, to.text, sqlIdent(col), g, sqlIdent(alias))), next, nil
	case "current_database", "current_catalog":
		return operand(sqlString(tr.s.database)), next, nil
	case "current_schema":
		return operand(sqlString("public")), next, nil
	case "current_user", "session_user", "user", "current_role":
		return operand(sqlString(tr.s.user)), next, nil
	case "version":
		return operand(sqlString(versionString)), next, nil
	case "pg_backend_pid":
		return operand(strconv.FormatUint(uint64(tr.s.pid), 10)), next, nil
	case "pg_my_temp_schema":
		return operand("0"), next, nil
	case "pg_postmaster_start_time", "inet_server_addr", "inet_server_port", "inet_client_addr", "inet_client_port":
		return operand("NULL"), next, nil
	case "current_schemas":
		a, err := arg(0)
		if err != nil {
			return piece{}, 0, err
		}
		path, _ := json.Marshal(tr.cs.path)
		withCat, _ := json.Marshal(append([]string{"pg_catalog"}, tr.cs.path...))
		return operand(fmt.Sprintf("(CASE WHEN %s THEN %s ELSE %s END)", a.text, sqlString(string(withCat)), sqlString(string(path)))), next, nil
	case "current_setting":
		a, err := arg(0)
		if err != nil {
			return piece{}, 0, err
		}
		if a.str == nil {
			return piece{}, 0, catalogPosErr(off, codeFeatureNotSupport, "current_setting() takes a constant name in catalog queries")
		}
		k := strings.ToLower(*a.str)
		v, ok := tr.s.settings.vals[k]
		if !ok {
			if len(args) > 1 {
				return operand("NULL"), next, nil
			}
			return piece{}, 0, catalogPosErr(off, codeUndefinedObject, fmt.Sprintf("unrecognized configuration parameter %q", *a.str))
		}
		return operand(sqlString(v)), next, nil
	case "pg_table_is_visible":
		a, err := arg(0)
		if err != nil {
			return piece{}, 0, err
		}
		return operand("((" + a.text + ") IN (SELECT oid FROM main.weir_visible))"), next, nil
	case "pg_get_viewdef":
		a, err := arg(0)
		if err != nil {
			return piece{}, 0, err
		}
		if a.str != nil && !isDigits(*a.str) {
			oid, err := tr.cs.resolveRel(*a.str, args[0][0].off)
			if err != nil {
				return piece{}, 0, err
			}
			a = operand(strconv.FormatUint(uint64(oid), 10))
		}
		return operand("(SELECT def FROM main.weir_viewdef WHERE oid = (" + a.text + "))"), next, nil
	case "pg_table_size", "pg_relation_size", "pg_total_relation_size":
		a, err := arg(0)
		if err != nil {
			return piece{}, 0, err
		}
		return operand("(SELECT bytes FROM main.weir_relsize WHERE oid = (" + a.text + "))"), next, nil
	case "pg_indexes_size":
		return operand("0"), next, nil
	case "pg_get_function_result":
		a, err := arg(0)
		if err != nil {
			return piece{}, 0, err
		}
		return operand("(SELECT format_type(prorettype, NULL) FROM pg_catalog.pg_proc WHERE oid = (" + a.text + "))"), next, nil
	case "array_length", "array_upper", "cardinality":
		a, err := arg(0)
		if err != nil {
			return piece{}, 0, err
		}
		return operand("nullif(json_array_length(" + a.text + "), 0)"), next, nil
	case "array_lower":
		a, err := arg(0)
		if err != nil {
			return piece{}, 0, err
		}
		return operand("(CASE WHEN json_array_length(" + a.text + ") > 0 THEN 1 END)"), next, nil
	}
	s, err := all()
	if err != nil {
		return piece{}, 0, err
	}
	if r, ok := renamed[name]; ok {
		name = r
	}
	return operand(name + "(" + s + ")"), next, nil
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// selItem is a select-list item's name and type as PostgreSQL gives them.
type selItem struct {
	name string
	// typ is a PostgreSQL type name; "column" for a plain column (its
	// declared type decides) and "" when only the values can tell.
	typ string
}

var selectEnd = map[string]bool{"FROM": true, "WHERE": true, "GROUP": true, "HAVING": true, "ORDER": true, "LIMIT": true,
	"OFFSET": true, "UNION": true, "INTERSECT": true, "EXCEPT": true, "WINDOW": true, "FETCH": true, "INTO": true, "FOR": true}

// selectItems reads the first top-level select list; nil when it has a *
// or the statement is no SELECT.
func selectItems(t []token) []selItem {
	depth, start := 0, -1
	for i, tk := range t {
		switch {
		case tk.val == "(" || tk.val == "[":
			depth++
		case tk.val == ")" || tk.val == "]":
			depth--
		case depth == 0 && tk.isWord("SELECT"):
			start = i
		}
		if start >= 0 {
			break
		}
	}
	if start < 0 {
		return nil
	}
	i := start + 1
	if i < len(t) && (t[i].isWord("DISTINCT") || t[i].isWord("ALL")) {
		i++
	}
	end := len(t)
	depth = 0
	for j := i; j < len(t); j++ {
		tk := t[j]
		switch {
		case tk.val == "(" || tk.val == "[":
			depth++
		case tk.val == ")" || tk.val == "]":
			depth--
		case depth == 0 && tk.kind == tkWord && selectEnd[tk.val]:
			end = j
		}
		if end < len(t) {
			break
		}
	}
	var items []selItem
	for _, it := range splitTop(t[i:end]) {
		if len(it) == 0 {
			return nil
		}
		last := it[len(it)-1]
		if last.val == "*" || last.val == ".*" {
			return nil
		}
		items = append(items, itemOf(it))
	}
	return items
}

func itemOf(it []token) selItem {
	n := len(it)
	ends := func(t token) bool {
		return t.kind == tkIdent || t.kind == tkString || t.kind == tkNumber || t.val == ")" || t.val == "]" ||
			t.kind == tkWord && (!sqlKeywords[t.val] || t.val == "END")
	}
	switch {
	case n >= 3 && it[n-2].isWord("AS"):
		return selItem{name: it[n-1].name(), typ: exprTypeOf(it[:n-2])}
	case n >= 2 && (it[n-1].kind == tkIdent || it[n-1].kind == tkWord && !sqlKeywords[it[n-1].val] && it[n-1].val != "NULL" &&
		it[n-1].val != "TRUE" && it[n-1].val != "FALSE") && ends(it[n-2]) && !isCastType(it, n-1):
		return selItem{name: it[n-1].name(), typ: exprTypeOf(it[:n-1])}
	}
	return selItem{name: exprName(it), typ: exprTypeOf(it)}
}

// isCastType reports whether it[k] is part of a type name after ::.
func isCastType(it []token, k int) bool {
	for j := k - 1; j >= 0; j-- {
		switch {
		case it[j].val == "::":
			return true
		case it[j].val == "." || it[j].kind == tkWord || it[j].kind == tkIdent:
			continue
		}
		return false
	}
	return false
}

// lastCast finds the top-level :: that ends an expression whose operand
// is one primary (x::text, f(y)::oid, CASE … END::text); -1 if none.
func lastCast(e []token) int {
	depth, at := 0, -1
	for i, t := range e {
		switch {
		case t.val == "(" || t.val == "[" || t.isWord("CASE"):
			depth++
		case t.val == ")" || t.val == "]" || t.isWord("END"):
			depth--
		case depth > 0:
		case t.val == "::":
			at = i
		case at >= 0 && i > at+1 && (t.val == "." || t.kind == tkWord || t.kind == tkIdent):
			// the rest of a qualified or multi-word type name
		case t.kind == tkOp && t.val != ".", t.kind == tkWord && sqlKeywords[t.val]:
			return -1
		}
	}
	return at
}

// isRef reports whether e is a (qualified) column name.
func isRef(e []token) bool {
	if len(e)%2 == 0 {
		return false
	}
	for i, t := range e {
		if i%2 == 0 && !(t.kind == tkIdent || t.kind == tkWord && !sqlKeywords[t.val] && t.val != "NULL" && t.val != "TRUE" && t.val != "FALSE") {
			return false
		}
		if i%2 == 1 && t.val != "." {
			return false
		}
	}
	return true
}

// callName is the function's name if e is one call f(…) or s.f(…).
func callName(e []token) string {
	for i := 0; i < len(e); i++ {
		if e[i].val == "(" {
			if i == 0 || !isRef(e[:i]) || matchClose(e, i) != len(e)-1 {
				return ""
			}
			return strings.ToLower(e[i-1].name())
		}
	}
	return ""
}

func exprName(e []token) string {
	if len(e) == 0 {
		return "?column?"
	}
	if c := lastCast(e); c > 0 {
		if n := exprName(e[:c]); n != "?column?" {
			return n
		}
		typ, _, _, _ := parseTypeName(e, c+1)
		if t := pgTypeByName(typ); t != nil {
			return t.name
		}
		return typ
	}
	switch {
	case isRef(e):
		n := e[len(e)-1].name()
		if len(e) == 1 && e[0].kind == tkWord {
			switch e[0].val {
			case "CURRENT_USER", "SESSION_USER", "CURRENT_ROLE", "CURRENT_CATALOG", "CURRENT_SCHEMA":
				return strings.ToLower(e[0].val)
			case "USER":
				return "current_user"
			}
		}
		return n
	case callName(e) != "":
		return callName(e)
	case e[0].isWord("CASE"):
		return "case"
	case e[0].isWord("ARRAY"):
		return "array"
	case len(e) == 1 && (e[0].isWord("TRUE") || e[0].isWord("FALSE")):
		return "bool"
	case e[0].isWord("EXISTS"):
		return "exists"
	}
	return "?column?"
}

// boolOps make an expression boolean at its top level.
var boolOps = map[string]bool{"=": true, "<>": true, "!=": true, "<": true, ">": true, "<=": true, ">=": true,
	"~": true, "!~": true, "~*": true, "!~*": true, "~~": true, "!~~": true, "~~*": true, "!~~*": true}

func exprTypeOf(e []token) string {
	if len(e) == 0 {
		return ""
	}
	if c := lastCast(e); c > 0 {
		typ, array, _, _ := parseTypeName(e, c+1)
		switch {
		case array:
			if t := pgTypeByName(typ); t != nil && t.array != 0 {
				if a := pgTypeByOID(t.array); a != nil {
					return a.name
				}
			}
			return "_text"
		case strings.HasPrefix(typ, "reg"):
			return "text"
		}
		return typ
	}
	if isRef(e) {
		if len(e) == 1 && e[0].kind == tkWord {
			switch e[0].val {
			case "CURRENT_USER", "SESSION_USER", "CURRENT_ROLE", "USER", "CURRENT_CATALOG", "CURRENT_SCHEMA":
				return "name"
			}
		}
		return "column"
	}
	if len(e) == 1 {
		switch {
		case e[0].kind == tkString:
			return "text"
		case e[0].kind == tkNumber:
			if strings.ContainsAny(e[0].val, ".eE") {
				return "numeric"
			}
			return "int4"
		case e[0].isWord("TRUE"), e[0].isWord("FALSE"):
			return "bool"
		case e[0].isWord("NULL"):
			return "text"
		}
	}
	if n := callName(e); n != "" {
		return funcTypes[n]
	}
	depth := 0
	concat := false
	for i, t := range e {
		switch {
		case t.val == "(" || t.val == "[" || t.isWord("CASE"):
			depth++
		case t.val == ")" || t.val == "]" || t.isWord("END"):
			depth--
		case depth > 0:
		case t.kind == tkOp && boolOps[t.val]:
			return "bool"
		case t.kind == tkOp && t.val == "||":
			concat = true
		case t.kind == tkWord:
			switch t.val {
			case "AND", "OR", "IS", "IN", "LIKE", "ILIKE", "BETWEEN", "EXISTS", "OPERATOR":
				return "bool"
			case "NOT":
				if i == 0 {
					return "bool"
				}
			}
		}
	}
	switch {
	case concat:
		return "text"
	case e[0].isWord("CASE"):
		return caseType(e)
	case e[0].isWord("ARRAY"):
		return "_text"
	case e[0].val == "(" && matchClose(e, 0) == len(e)-1:
		inner := e[1 : len(e)-1]
		if len(inner) > 0 && inner[0].isWord("SELECT") {
			if items := selectItems(inner); len(items) == 1 && items[0].typ != "column" {
				return items[0].typ
			}
			return ""
		}
		if t := exprTypeOf(inner); t != "column" {
			return t
		}
	}
	return ""
}

// caseType is the type of a CASE's first THEN (or ELSE) that tells one.
func caseType(e []token) string {
	depth := 0
	var branches [][]token
	start := -1
	for i, t := range e {
		switch {
		case t.val == "(":
			depth++
		case t.val == ")":
			depth--
		case t.isWord("CASE") && i > 0:
			depth++
		case t.isWord("END") && depth > 0 && i < len(e)-1:
			depth--
		case depth == 0 && (t.isWord("THEN") || t.isWord("ELSE")):
			start = i + 1
		case depth == 0 && (t.isWord("WHEN") || t.isWord("END")) && start >= 0:
			branches = append(branches, e[start:i])
			start = -1
		}
	}
	for _, b := range branches {
		if len(b) == 1 && b[0].isWord("NULL") {
			continue
		}
		if t := exprTypeOf(b); t != "column" {
			return t
		}
		return ""
	}
	return ""
}

// checkCatalogSQL checks, by SQLite's lexical rules, that a translation is
// one statement that only reads: it starts with SELECT, WITH or VALUES
// (after any parentheses) and, outside quotes, has no ';', no comment, no
// parameter, and none of the words that write or reach outside the
// database. The translation never makes anything else; this is the second
// line, should it ever.
func checkCatalogSQL(q string) error {
	first, prev := "", ""
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == 0:
			return errors.New("the translation has a NUL byte")
		case c == '\'' || c == '"' || c == '`' || c == '[':
			end := c
			if c == '[' {
				end = ']'
			}
			j := i + 1
			for {
				k := strings.IndexByte(q[j:], end)
				if k < 0 {
					return errors.New("the translation has an unterminated quote")
				}
				j += k + 1
				if c != '[' && j < len(q) && q[j] == end {
					j++
					continue
				}
				break
			}
			if strings.IndexByte(q[i:j], 0) >= 0 {
				return errors.New("the translation has a NUL byte")
			}
			if first == "" {
				return errors.New("the translation does not start with SELECT, WITH or VALUES")
			}
			i, prev = j, ""
		case c == ';':
			return errors.New("the translation has more than one statement")
		case c == '-' && strings.HasPrefix(q[i:], "--"), c == '/' && strings.HasPrefix(q[i:], "/*"):
			return errors.New("the translation has a comment")
		case c == '?' || c == ':' || c == '@' || c == '$' || c == '#':
			return fmt.Errorf("the translation has a parameter (%q)", c)
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9':
			j := i + 1
			for j < len(q) && (isIdentByte(q[j]) || q[j] == '.') {
				j++
			}
			i = j
		case isIdentByte(c):
			j := i + 1
			for j < len(q) && (isIdentByte(q[j]) || q[j] == '$') {
				j++
			}
			w := strings.ToUpper(q[i:j])
			if first == "" {
				if w != "SELECT" && w != "WITH" && w != "VALUES" {
					return errors.New("the translation does not start with SELECT, WITH or VALUES")
				}
				first = w
			}
			k := j
			for k < len(q) && q[k] == ' ' {
				k++
			}
			call := k < len(q) && q[k] == '('
			qualified := i > 0 && q[i-1] == '.'
			if (sqliteWriteWords[w] || w == "INTO" && prev == "REPLACE") && !call && !qualified {
				return fmt.Errorf("the translation has %s", w)
			}
			i, prev = j, w
		default:
			if first == "" && c != '(' && c != ' ' {
				return errors.New("the translation does not start with SELECT, WITH or VALUES")
			}
			i++
			if c != ' ' {
				prev = ""
			}
		}
	}
	if first == "" {
		return errors.New("the translation is empty")
	}
	return nil
}

// sqliteWriteWords start SQLite statements other than SELECT.
var sqliteWriteWords = map[string]bool{"ATTACH": true, "DETACH": true, "PRAGMA": true, "VACUUM": true, "INSERT": true,
	"UPDATE": true, "DELETE": true, "CREATE": true, "DROP": true, "ALTER": true, "REINDEX": true, "ANALYZE": true,
	"SAVEPOINT": true, "RELEASE": true, "BEGIN": true, "COMMIT": true, "ROLLBACK": true}
