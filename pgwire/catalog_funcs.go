package pgwire

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"modernc.org/sqlite"
)

// The catalog's SQLite connections come from a driver of their own, so the
// PostgreSQL functions registered here (and the like and regexp that LIKE
// and ~ are translated to) reach no other SQLite database in the process
// (FerretDB's, in the playground).
var catalogDriver = sync.OnceValue(func() *sqlite.Driver {
	d := &sqlite.Driver{}
	for name, f := range catalogFuncs {
		d.MustRegisterDeterministicScalarFunction(name, -1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			return callCatalogFunc(name, f, args)
		})
	}
	return d
})

// callCatalogFunc calls f and turns a panic into an error: it runs inside
// SQLite's C-transpiled stack, which must unwind normally, and a panic
// there would take the whole server down.
func callCatalogFunc(name string, f sqlFunc, args []driver.Value) (v driver.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, catalogErr(codeInternal, fmt.Sprintf("%s: internal error: %v", name, r))
		}
	}()
	return f(args)
}

// maxCatalogValue is the largest string a catalog function builds, as
// SQLite's own functions are bounded by SQLITE_LIMIT_LENGTH (catalog_db.go).
const maxCatalogValue = 1 << 20

// maxMatchWork bounds one pattern match (LIKE, ~, regexp_replace): the
// pattern's length times the text's. A Go function runs to its end once
// SQLite calls it (a cancel or timeout interrupts SQLite between steps,
// never inside one), so each call must be cheap; names are at most 63
// bytes, and a whole view definition matched against a long pattern
// still fits.
const maxMatchWork = 1 << 28

func tooBig(what string) error {
	return catalogErr("54000", what+" exceeds the catalog's limit of 1 MiB")
}

func matchWork(pat, s string) error {
	if len(pat) > 0 && len(s) > 0 && len(pat) > maxMatchWork/len(s) {
		return catalogErr("54000", fmt.Sprintf("pattern of %d bytes over a text of %d bytes is too costly for a catalog query", len(pat), len(s)))
	}
	return nil
}

// catalogConnector opens the catalog's in-memory databases.
type catalogConnector struct{}

func (catalogConnector) Connect(context.Context) (driver.Conn, error) {
	return catalogDriver().Open(":memory:")
}

func (catalogConnector) Driver() driver.Driver { return catalogDriver() }

// catalogErr is an error a catalog function raises with its SQLSTATE; it
// crosses SQLite as text ("weir:CODE:message") and is read back by
// sqliteError.
func catalogErr(code, msg string) error { return fmt.Errorf("weir:%s:%s", code, msg) }

type sqlFunc func(args []driver.Value) (driver.Value, error)

// nullIfAnyNull wraps a strict function: NULL in, NULL out.
func strict(f sqlFunc) sqlFunc {
	return func(args []driver.Value) (driver.Value, error) {
		for _, a := range args {
			if a == nil {
				return nil, nil
			}
		}
		return f(args)
	}
}

func constant(v driver.Value) sqlFunc {
	return func([]driver.Value) (driver.Value, error) { return v, nil }
}

// catalogFuncs are the PostgreSQL functions catalog queries call, in Go.
// Functions that need the session's catalog (pg_table_is_visible,
// pg_get_viewdef, pg_table_size) are translated to sub-selects instead
// (catalog_sql.go).
var catalogFuncs = map[string]sqlFunc{
	"regexp": strict(func(a []driver.Value) (driver.Value, error) { return regexMatch(str(a[0]), str(a[1])) }),
	"like":   likeFunc,
	"pg_get_userbyid": strict(func(a []driver.Value) (driver.Value, error) {
		if n, ok := a[0].(int64); ok && n == ownerOID {
			return ownerName, nil
		}
		return "unknown (OID=" + str(a[0]) + ")", nil
	}),
	"format_type": func(a []driver.Value) (driver.Value, error) {
		if len(a) == 0 || a[0] == nil {
			return nil, nil
		}
		oid, _ := a[0].(int64)
		t := pgTypeByOID(uint32(oid))
		if t == nil {
			return "???", nil
		}
		return t.sqlName(), nil
	},
	"quote_ident": strict(func(a []driver.Value) (driver.Value, error) { return quoteIdent(str(a[0])), nil }),
	"quote_literal": strict(func(a []driver.Value) (driver.Value, error) {
		return quoteString(str(a[0])), nil
	}),
	"pg_encoding_to_char": strict(func(a []driver.Value) (driver.Value, error) {
		if n, _ := a[0].(int64); n == 6 {
			return "UTF8", nil
		}
		return "", nil
	}),
	"array_to_string": func(a []driver.Value) (driver.Value, error) {
		if len(a) < 2 || a[0] == nil || a[1] == nil {
			return nil, nil
		}
		elems, ok := jsonArray(a[0])
		if !ok {
			return nil, catalogErr("22P02", fmt.Sprintf("malformed array literal: %q", str(a[0])))
		}
		var b strings.Builder
		sep, n := str(a[1]), 0
		for _, e := range elems {
			var part string
			switch {
			case e != nil:
				part = jsonElemText(e)
			case len(a) > 2 && a[2] != nil:
				part = str(a[2])
			default:
				continue
			}
			if n > 0 {
				b.WriteString(sep)
			}
			b.WriteString(part)
			n++
			if b.Len() > maxCatalogValue {
				return nil, tooBig("array_to_string's result")
			}
		}
		return b.String(), nil
	},
	"string_to_array": strict(func(a []driver.Value) (driver.Value, error) {
		if len(a) < 2 {
			return nil, catalogErr("42883", "function string_to_array needs two arguments")
		}
		b, _ := json.Marshal(strings.Split(str(a[0]), str(a[1])))
		return string(b), nil
	}),
	"pg_array": func(a []driver.Value) (driver.Value, error) {
		if len(a) != 1 || a[0] == nil {
			return nil, nil
		}
		return toJSONArray(str(a[0]))
	},
	"pg_subscript": strict(func(a []driver.Value) (driver.Value, error) {
		elems, ok := jsonArray(a[0])
		if !ok {
			return nil, nil
		}
		i, ok := a[1].(int64)
		if !ok || i < 1 || int(i) > len(elems) {
			return nil, nil
		}
		return sqlValue(elems[i-1]), nil
	}),
	"pg_bool": strict(func(a []driver.Value) (driver.Value, error) {
		switch v := a[0].(type) {
		case int64:
			return v != 0, nil
		case float64:
			return v != 0, nil
		}
		switch strings.ToLower(strings.TrimSpace(str(a[0]))) {
		case "t", "true", "yes", "on", "1", "y":
			return int64(1), nil
		case "f", "false", "no", "off", "0", "n":
			return int64(0), nil
		}
		return nil, catalogErr("22P02", fmt.Sprintf("invalid input syntax for type boolean: %q", str(a[0])))
	}),
	"pg_size_pretty": strict(func(a []driver.Value) (driver.Value, error) {
		n, _ := a[0].(int64)
		return sizePretty(n), nil
	}),
	"left": strict(func(a []driver.Value) (driver.Value, error) {
		r := []rune(str(a[0]))
		n := int(toInt(a[1]))
		if n < 0 {
			n = max(len(r)+n, 0)
		}
		return string(r[:min(n, len(r))]), nil
	}),
	"right": strict(func(a []driver.Value) (driver.Value, error) {
		r := []rune(str(a[0]))
		n := int(toInt(a[1]))
		if n < 0 {
			n = max(len(r)+n, 0)
		}
		return string(r[len(r)-min(n, len(r)):]), nil
	}),
	"split_part": strict(func(a []driver.Value) (driver.Value, error) {
		parts := strings.Split(str(a[0]), str(a[1]))
		n := int(toInt(a[2]))
		if n < 0 {
			n = len(parts) + n + 1
		}
		if n < 1 || n > len(parts) {
			return "", nil
		}
		return parts[n-1], nil
	}),
	"starts_with": strict(func(a []driver.Value) (driver.Value, error) {
		return strings.HasPrefix(str(a[0]), str(a[1])), nil
	}),
	"regexp_replace": strict(func(a []driver.Value) (driver.Value, error) {
		flags := ""
		if len(a) > 3 {
			flags = str(a[3])
		}
		if err := matchWork(str(a[1]), str(a[0])); err != nil {
			return nil, err
		}
		re, err := compileRegex(str(a[1]), strings.Contains(flags, "i"))
		if err != nil {
			return nil, err
		}
		return regexpReplace(re, str(a[0]), str(a[2]), strings.Contains(flags, "g"))
	}),
	"now": func([]driver.Value) (driver.Value, error) {
		return time.Now().UTC().Format("2006-01-02 15:04:05.999999") + "+00", nil
	},
	"format": func(a []driver.Value) (driver.Value, error) { return pgFormat(a) },
	// What weir has none of: descriptions, defaults, indexes, constraints,
	// triggers, rules, statistics, partitions, publications, functions.
	"obj_description":                    constant(nil),
	"col_description":                    constant(nil),
	"shobj_description":                  constant(nil),
	"pg_get_expr":                        constant(nil),
	"pg_get_indexdef":                    constant(nil),
	"pg_get_constraintdef":               constant(nil),
	"pg_get_triggerdef":                  constant(nil),
	"pg_get_ruledef":                     constant(nil),
	"pg_get_statisticsobjdef_columns":    constant(nil),
	"pg_get_partkeydef":                  constant(nil),
	"pg_get_serial_sequence":             constant(nil),
	"pg_get_function_arguments":          constant(""),
	"pg_get_function_identity_arguments": constant(""),
	"pg_relation_is_publishable":         constant(int64(0)),
	"pg_is_other_temp_schema":            constant(int64(0)),
	"pg_type_is_visible":                 constant(int64(1)),
	"pg_function_is_visible":             constant(int64(1)),
	"pg_operator_is_visible":             constant(int64(1)),
	"pg_opclass_is_visible":              constant(int64(1)),
	"pg_opfamily_is_visible":             constant(int64(1)),
	"pg_collation_is_visible":            constant(int64(1)),
	"pg_conversion_is_visible":           constant(int64(1)),
	"pg_statistics_obj_is_visible":       constant(int64(1)),
	"pg_ts_config_is_visible":            constant(int64(1)),
	"pg_ts_dict_is_visible":              constant(int64(1)),
	"pg_ts_parser_is_visible":            constant(int64(1)),
	"pg_ts_template_is_visible":          constant(int64(1)),
	"has_table_privilege":                constant(int64(1)),
	"has_schema_privilege":               constant(int64(1)),
	"has_database_privilege":             constant(int64(1)),
	"has_column_privilege":               constant(int64(1)),
	"has_any_column_privilege":           constant(int64(1)),
	"has_function_privilege":             constant(int64(1)),
	"has_sequence_privilege":             constant(int64(1)),
	"has_type_privilege":                 constant(int64(1)),
	"has_language_privilege":             constant(int64(1)),
	"has_tablespace_privilege":           constant(int64(1)),
	"has_foreign_data_wrapper_privilege": constant(int64(1)),
	"has_server_privilege":               constant(int64(1)),
	"pg_has_role":                        constant(int64(1)),
}

// funcTypes are the result types of the functions whose result column
// psql and drivers read by type (booleans print t/f).
var funcTypes = map[string]string{
	"pg_table_is_visible": "bool", "pg_type_is_visible": "bool", "pg_function_is_visible": "bool",
	"pg_relation_is_publishable": "bool", "pg_is_other_temp_schema": "bool", "starts_with": "bool",
	"has_table_privilege": "bool", "has_schema_privilege": "bool", "has_database_privilege": "bool",
	"has_column_privilege": "bool", "has_any_column_privilege": "bool", "has_function_privilege": "bool",
	"has_sequence_privilege": "bool", "has_type_privilege": "bool", "pg_has_role": "bool",
	"pg_get_userbyid": "name", "format_type": "text", "quote_ident": "text", "pg_encoding_to_char": "name",
	"array_to_string": "text", "obj_description": "text", "col_description": "text", "shobj_description": "text",
	"pg_get_viewdef": "text", "pg_get_expr": "text", "pg_get_indexdef": "text", "pg_get_constraintdef": "text",
	"pg_size_pretty": "text", "pg_table_size": "int8", "pg_relation_size": "int8", "pg_total_relation_size": "int8",
	"count": "int8", "current_schemas": "_name", "array_agg": "_text", "string_agg": "text",
	"current_database": "name", "current_schema": "name", "current_user": "name", "session_user": "name",
	"version": "text", "current_setting": "text", "pg_backend_pid": "int4", "length": "int4",
	"char_length": "int4", "lower": "text", "upper": "text", "concat": "text", "bool_or": "bool", "bool_and": "bool",
	"pg_get_function_result": "text", "pg_get_function_arguments": "text", "pg_get_function_identity_arguments": "text",
	"pg_my_temp_schema": "oid", "now": "timestamptz", "string_to_array": "_text",
}

func str(v driver.Value) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return formatFloat(x)
	case bool:
		if x {
			return "t"
		}
		return "f"
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func toInt(v driver.Value) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(str(v)), 10, 64)
	return n
}

// regexCache keeps the patterns psql sends again and again. It is shared
// by every session, so it keeps only short patterns, and at most
// maxCachedRegexes of them: a query can make a new pattern per row.
var regexCache struct {
	sync.Mutex
	m map[string]*regexp.Regexp
}

const maxCachedRegexes, maxCachedRegexLen = 256, 256

func compileRegex(pat string, fold bool) (*regexp.Regexp, error) {
	key := pat
	if fold {
		key = "(?i)" + pat
	}
	regexCache.Lock()
	re, ok := regexCache.m[key]
	regexCache.Unlock()
	if ok {
		return re, nil
	}
	re, err := regexp.Compile(key)
	if err != nil {
		return nil, catalogErr("2201B", "invalid regular expression: "+strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	if len(key) <= maxCachedRegexLen {
		regexCache.Lock()
		if regexCache.m == nil || len(regexCache.m) >= maxCachedRegexes {
			regexCache.m = map[string]*regexp.Regexp{}
		}
		regexCache.m[key] = re
		regexCache.Unlock()
	}
	return re, nil
}

// regexpReplace is PostgreSQL's regexp_replace: in repl, \1 … \9 are
// the groups, \& the whole match, \\ a backslash, and anything else (a
// $) itself. The result is bounded by maxCatalogValue.
func regexpReplace(re *regexp.Regexp, s, repl string, global bool) (driver.Value, error) {
	n := 1
	if global {
		n = -1
	}
	var out []byte
	last := 0
	for _, loc := range re.FindAllStringSubmatchIndex(s, n) {
		out = append(out, s[last:loc[0]]...)
		for i := 0; i < len(repl) && len(out) <= maxCatalogValue; i++ {
			c := repl[i]
			if c == '\\' && i+1 < len(repl) {
				switch d := repl[i+1]; {
				case d >= '1' && d <= '9':
					if g := int(d - '0'); 2*g+1 < len(loc) && loc[2*g] >= 0 {
						out = append(out, s[loc[2*g]:loc[2*g+1]]...)
					}
					i++
					continue
				case d == '&':
					out = append(out, s[loc[0]:loc[1]]...)
					i++
					continue
				case d == '\\':
					i++
				}
			}
			out = append(out, c)
		}
		if len(out) > maxCatalogValue {
			return nil, tooBig("regexp_replace's result")
		}
		last = loc[1]
	}
	out = append(out, s[last:]...)
	if len(out) > maxCatalogValue {
		return nil, tooBig("regexp_replace's result")
	}
	return string(out), nil
}

func regexMatch(pat, s string) (driver.Value, error) {
	if err := matchWork(pat, s); err != nil {
		return nil, err
	}
	re, err := compileRegex(pat, false)
	if err != nil {
		return nil, err
	}
	return re.MatchString(s), nil
}

// likeFunc is PostgreSQL's LIKE (case-sensitive, backslash the default
// escape) for SQLite's like(pattern, string[, escape]).
func likeFunc(a []driver.Value) (driver.Value, error) {
	if len(a) < 2 || a[0] == nil || a[1] == nil {
		return nil, nil
	}
	esc := '\\'
	if len(a) > 2 {
		if a[2] == nil {
			return nil, nil
		}
		e := []rune(str(a[2]))
		switch len(e) {
		case 0:
			esc = -1
		case 1:
			esc = e[0]
		default:
			return nil, catalogErr("22025", "invalid escape string")
		}
	}
	pat, s := str(a[0]), str(a[1])
	if err := matchWork(pat, s); err != nil {
		return nil, err
	}
	return likeMatch([]rune(pat), []rune(s), esc), nil
}

// likeMatch matches s against a LIKE pattern in O(len(p)·len(s)): the
// pattern is segments of runes and _ between %s, and each segment is
// matched at its leftmost place after the previous one (a later place
// never helps: the next % absorbs what lies between). Backtracking into
// every % instead is exponential ('%a%a%a%a%b').
func likeMatch(p, s []rune, esc rune) bool {
	// A segment: -1 stands for _, an escaped _ is itself.
	var segs [][]rune
	var cur []rune
	leadingPct, trailingPct := false, false
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == esc && i+1 < len(p):
			cur = append(cur, p[i+1])
			i++
		case p[i] == '%':
			if len(segs) == 0 && cur == nil {
				leadingPct = true
			}
			if cur != nil {
				segs = append(segs, cur)
				cur = nil
			}
			trailingPct = true
			continue
		case p[i] == '_':
			cur = append(cur, -1)
		default:
			cur = append(cur, p[i])
		}
		trailingPct = false
	}
	if cur != nil {
		segs = append(segs, cur)
	}
	at := func(seg []rune, i int) bool {
		for k, r := range seg {
			if r != -1 && s[i+k] != r {
				return false
			}
		}
		return true
	}
	if len(segs) == 0 {
		return leadingPct || len(s) == 0
	}
	pos := 0
	for n, seg := range segs {
		first, last := n == 0, n == len(segs)-1
		switch {
		case first && !leadingPct && last && !trailingPct:
			return len(s) == len(seg) && at(seg, 0)
		case first && !leadingPct:
			if len(s) < len(seg) || !at(seg, 0) {
				return false
			}
			pos = len(seg)
		case last && !trailingPct:
			// The last segment sits at the end, after what came before.
			return len(s)-len(seg) >= pos && at(seg, len(s)-len(seg))
		default:
			found := false
			for i := pos; i+len(seg) <= len(s); i++ {
				if at(seg, i) {
					pos, found = i+len(seg), true
					break
				}
			}
			if !found {
				return false
			}
		}
	}
	return true
}

// Arrays are JSON arrays inside the catalog database: json_each reads
// them, and the column types turn them into PostgreSQL's {…} on the way
// out (pgArrayText).
func jsonArray(v driver.Value) ([]any, bool) {
	var elems []any
	dec := json.NewDecoder(strings.NewReader(str(v)))
	dec.UseNumber()
	if err := dec.Decode(&elems); err != nil {
		return nil, false
	}
	return elems, true
}

func jsonElemText(e any) string {
	switch x := e.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "t"
		}
		return "f"
	}
	b, _ := json.Marshal(e)
	return string(b)
}

func sqlValue(e any) driver.Value {
	switch x := e.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	case string:
		return x
	case nil:
		return nil
	}
	b, _ := json.Marshal(e)
	return string(b)
}

// toJSONArray reads an array value: JSON as it is, PostgreSQL's '{a,b}'
// text (or an int2vector's '1 2') into JSON.
func toJSONArray(s string) (driver.Value, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "[") {
		return t, nil
	}
	var elems []any
	switch {
	case strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}"):
		inner := t[1 : len(t)-1]
		for i := 0; i < len(inner); {
			if inner[i] == '"' {
				var b strings.Builder
				j := i + 1
				for j < len(inner) && inner[j] != '"' {
					if inner[j] == '\\' && j+1 < len(inner) {
						j++
					}
					b.WriteByte(inner[j])
					j++
				}
				elems = append(elems, b.String())
				i = j + 1
			} else {
				j := strings.IndexByte(inner[i:], ',')
				if j < 0 {
					j = len(inner) - i
				}
				e := strings.TrimSpace(inner[i : i+j])
				if strings.EqualFold(e, "NULL") {
					elems = append(elems, nil)
				} else if n, err := strconv.ParseInt(e, 10, 64); err == nil {
					elems = append(elems, n)
				} else {
					elems = append(elems, e)
				}
				i += j
			}
			if i < len(inner) && inner[i] == ',' {
				i++
			}
		}
	case t == "":
	default:
		for _, f := range strings.Fields(t) {
			n, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return nil, catalogErr("22P02", fmt.Sprintf("malformed array literal: %q", s))
			}
			elems = append(elems, n)
		}
	}
	if elems == nil {
		elems = []any{}
	}
	b, _ := json.Marshal(elems)
	return string(b), nil
}

// pgArrayText is a JSON array as PostgreSQL prints an array; vector
// types (int2vector, oidvector) print space-separated.
func pgArrayText(v string, vector bool) string {
	elems, ok := jsonArray(v)
	if !ok {
		return v
	}
	parts := make([]string, len(elems))
	for i, e := range elems {
		switch {
		case e == nil:
			parts[i] = "NULL"
		default:
			t := jsonElemText(e)
			if !vector && (t == "" || strings.ContainsAny(t, `{},"\ `) || strings.EqualFold(t, "null")) {
				t = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(t) + `"`
			}
			parts[i] = t
		}
	}
	if vector {
		return strings.Join(parts, " ")
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// quoteIdent quotes a name as PostgreSQL's quote_ident does.
func quoteIdent(s string) string {
	plain := s != ""
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' && i > 0 || r >= 0x80 && unicode.IsLetter(r) && !unicode.IsUpper(r)) {
			plain = false
			break
		}
	}
	if plain && !reservedWords[strings.ToUpper(s)] {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// reservedWords are PostgreSQL's reserved keywords, which quote_ident
// quotes.
var reservedWords = map[string]bool{}

func init() {
	for w := range strings.FieldsSeq(`ALL ANALYSE ANALYZE AND ANY ARRAY AS ASC ASYMMETRIC BOTH CASE CAST CHECK COLLATE COLUMN
		CONSTRAINT CREATE CURRENT_CATALOG CURRENT_DATE CURRENT_ROLE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DEFAULT
		DEFERRABLE DESC DISTINCT DO ELSE END EXCEPT FALSE FETCH FOR FOREIGN FROM GRANT GROUP HAVING IN INITIALLY
		INTERSECT INTO LATERAL LEADING LIMIT LOCALTIME LOCALTIMESTAMP NOT NULL OFFSET ON ONLY OR ORDER PLACING PRIMARY
		REFERENCES RETURNING SELECT SESSION_USER SOME SYMMETRIC TABLE THEN TO TRAILING TRUE UNION UNIQUE USER USING
		VARIADIC WHEN WHERE WINDOW WITH`) {
		reservedWords[w] = true
	}
}

// sizePretty is pg_size_pretty for bigint.
func sizePretty(n int64) string {
	abs := n
	if abs < 0 {
		abs = -abs
	}
	if abs < 10*1024 {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	half := func(v int64) int64 { // PostgreSQL rounds half away from zero
		if v < 0 {
			return -((-v + 1) / 2)
		}
		return (v + 1) / 2
	}
	v := n >> 9 // n / 512, the size in half kB
	for _, unit := range []string{"kB", "MB", "GB", "TB"} {
		if a := half(v); a < 10*1024 && a > -10*1024 || unit == "TB" {
			return strconv.FormatInt(a, 10) + " " + unit
		}
		v >>= 10
	}
	return ""
}

// pgFormat is PostgreSQL's format(): %s, %I, %L and %%.
func pgFormat(a []driver.Value) (driver.Value, error) {
	if len(a) == 0 || a[0] == nil {
		return nil, nil
	}
	f := str(a[0])
	var b strings.Builder
	next := 1
	for i := 0; i < len(f); {
		r, n := utf8.DecodeRuneInString(f[i:])
		if r != '%' || i+1 >= len(f) {
			b.WriteRune(r)
			i += n
			continue
		}
		c := f[i+1]
		i += 2
		if c == '%' {
			b.WriteByte('%')
			continue
		}
		if next >= len(a) {
			return nil, catalogErr("22023", "too few arguments for format()")
		}
		v := a[next]
		next++
		if b.Len() > maxCatalogValue {
			return nil, tooBig("format's result")
		}
		switch c {
		case 's':
			b.WriteString(str(v))
		case 'I':
			if v == nil {
				return nil, catalogErr("22004", "null values cannot be formatted as an SQL identifier")
			}
			b.WriteString(quoteIdent(str(v)))
		case 'L':
			if v == nil {
				b.WriteString("NULL")
			} else {
				b.WriteString(quoteString(str(v)))
			}
		default:
			return nil, catalogErr("22023", fmt.Sprintf("unrecognized format() type specifier %q", string(c)))
		}
	}
	if b.Len() > maxCatalogValue {
		return nil, tooBig("format's result")
	}
	return b.String(), nil
}
