package pgwire

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
)

// The catalog answers the queries psql 15 (Debian's postgresql-client
// 15) sends for \l, \dn, \dt, \d and \d NAME. weir's SQL dialect has no
// joins over pg_catalog, so rather than emulating the relations in full,
// each query is recognised by the catalog relations it reads and the
// conditions psql puts in it (relkind lists, OPERATOR(pg_catalog.~)
// patterns, c.oid = '…'), read with the tokenizer, and answered from the
// engine's catalog: schemas are connections (and "weir" for processors),
// relations are streams (DIR/NAME.jsonl), collections (DIR/DB/COLL.jsonl,
// named "DB.COLL") and stream processors (listed as views). Other catalog
// queries get 0A000 and the session goes on; psql's tab completion
// ignores those.

// isCatalogQuery reports whether a statement reads pg_catalog or
// information_schema relations, which weir answers itself.
func isCatalogQuery(t []token) bool {
	for i, tk := range t {
		if tk.kind != tkWord {
			continue
		}
		if tk.val == "INFORMATION_SCHEMA" {
			return true
		}
		// A pg_ relation (pg_class, pg_catalog.pg_namespace) makes a catalog
		// query; a pg_ function call (pg_backend_pid()) does not.
		if strings.HasPrefix(tk.val, "PG_") && (i+1 == len(t) || t[i+1].val != "(") {
			return true
		}
	}
	return false
}

// relation is one entry of the catalog.
type relation struct {
	oid    uint32
	schema string
	name   string
	kind   string // 'r' stream or collection, 'v' stream processor
	// file is where a stream's or collection's documents are, for \d's
	// columns.
	file string
	// pipeline is a processor's MQL, for \d's view definition.
	pipeline string
}

const firstRelOID = 16384

// relations lists the catalog in a stable order, with stable OIDs within
// one listing (psql looks a relation up and then asks by OID).
func (s *session) relations() []relation {
	var rels []relation
	for _, c := range s.srv.Engine.Connections() {
		if c.Type != "file" {
			continue
		}
		dir, _ := c.Options["dir"].(string)
		f := connectors.File{Dir: dir}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if e.IsDir() {
				sub, _ := os.ReadDir(filepath.Join(dir, e.Name()))
				for _, se := range sub {
					if coll, ok := strings.CutSuffix(se.Name(), ".jsonl"); ok && !se.IsDir() {
						rels = append(rels, relation{schema: c.Name, name: e.Name() + "." + coll, kind: "r", file: f.CollectionPath(e.Name(), coll)})
					}
				}
				continue
			}
			if topic, ok := strings.CutSuffix(e.Name(), ".jsonl"); ok {
				rels = append(rels, relation{schema: c.Name, name: topic, kind: "r", file: f.StreamPath(topic)})
			}
		}
	}
	for _, p := range s.srv.Engine.Processors() {
		rels = append(rels, relation{schema: "weir", name: p.Name, kind: "v", pipeline: jsonText(p.Processor)})
	}
	sort.SliceStable(rels, func(i, j int) bool {
		if rels[i].schema != rels[j].schema {
			return rels[i].schema < rels[j].schema
		}
		return rels[i].name < rels[j].name
	})
	for i := range rels {
		rels[i].oid = uint32(firstRelOID + i)
	}
	return rels
}

// schemas are the namespaces: one per connection, weir, public.
func (s *session) schemas() []string {
	set := map[string]bool{"public": true, "weir": true}
	for _, c := range s.srv.Engine.Connections() {
		set[c.Name] = true
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// catQuery is what the tokenizer read from a catalog query.
type catQuery struct {
	from     map[string]bool // catalog relations named, lower case
	selects  []string        // select-list words, upper case
	relkinds []string        // c.relkind IN (…)
	relname  *regexp.Regexp  // c.relname OPERATOR(pg_catalog.~) '…'
	nspname  *regexp.Regexp
	oid      string // c.oid = '…'
}

func readCatQuery(t []token) (*catQuery, error) {
	q := &catQuery{from: map[string]bool{}}
	inSelect := true
	for i := 0; i < len(t); i++ {
		tk := t[i]
		if tk.isWord("FROM") {
			inSelect = false
		}
		if inSelect && tk.kind == tkWord {
			q.selects = append(q.selects, tk.val)
		}
		if tk.kind == tkWord && (strings.HasPrefix(tk.val, "PG_") || tk.val == "INFORMATION_SCHEMA") && !(i+1 < len(t) && t[i+1].val == "(") {
			q.from[strings.ToLower(tk.val)] = true
		}
		// c.relkind IN ('r','p','')
		if tk.isWord("RELKIND") && i+2 < len(t) && t[i+1].isWord("IN") && t[i+2].val == "(" {
			for j := i + 3; j < len(t) && t[j].val != ")"; j++ {
				if t[j].kind == tkString {
					q.relkinds = append(q.relkinds, t[j].val)
				}
			}
		}
		// x OPERATOR(pg_catalog.~) 'pattern'
		if (tk.isWord("RELNAME") || tk.isWord("NSPNAME")) && i+1 < len(t) && t[i+1].isWord("OPERATOR") {
			j := i + 2
			for j < len(t) && t[j].kind != tkString {
				j++
			}
			if j < len(t) {
				re, err := regexp.Compile(t[j].val)
				if err != nil {
					return nil, newErr("2201B", fmt.Sprintf("invalid regular expression: %v", err))
				}
				if tk.isWord("RELNAME") {
					q.relname = re
				} else {
					q.nspname = re
				}
			}
		}
		// c.oid = '16384', a.attrelid = '16384', pol.polrelid = '16384' …
		if tk.kind == tkWord && i+2 < len(t) && t[i+1].val == "=" && t[i+2].kind == tkString && isDigits(t[i+2].val) && q.oid == "" {
			q.oid = t[i+2].val
		}
	}
	return q, nil
}

func (s *session) catalog(st stmtText) (*result, error) {
	q, err := readCatQuery(st.toks)
	if err != nil {
		return nil, err
	}
	text := func(names ...string) []column {
		cols := make([]column, len(names))
		for i, n := range names {
			cols[i] = column{name: n, oid: oidText}
		}
		return cols
	}
	switch {
	case q.from["pg_database"]:
		// \l
		cols := text("Name", "Owner", "Encoding", "Collate", "Ctype", "ICU Locale", "Locale Provider", "Access privileges")
		return rowsResult("SELECT", cols, [][]any{{s.database, "weir", "UTF8", "C", "C", nil, "libc", nil}}), nil
	case q.from["pg_namespace"] && !q.from["pg_class"]:
		// \dn
		var rows [][]any
		for _, n := range s.schemas() {
			if q.nspname == nil || q.nspname.MatchString(n) {
				rows = append(rows, []any{n, "weir"})
			}
		}
		return rowsResult("SELECT", text("Name", "Owner"), rows), nil
	case q.from["pg_class"] && len(q.relkinds) > 0:
		// \dt, \d, \dv [pattern]
		var rows [][]any
		for _, r := range s.relations() {
			if !contains(q.relkinds, r.kind) || !q.matches(r) {
				continue
			}
			typ := "table"
			if r.kind == "v" {
				typ = "view"
			}
			rows = append(rows, []any{r.schema, r.name, typ, "weir"})
		}
		return rowsResult("SELECT", text("Schema", "Name", "Type", "Owner"), rows), nil
	case q.from["pg_class"] && q.oid == "" && (q.relname != nil || q.nspname != nil):
		// \d NAME, step 1: find the relations.
		var rows [][]any
		for _, r := range s.relations() {
			if q.matches(r) {
				rows = append(rows, []any{r.oid, r.schema, r.name})
			}
		}
		return rowsResult("SELECT", []column{{"oid", oidOID}, {"nspname", oidName}, {"relname", oidName}}, rows), nil
	case q.oid != "":
		return s.describeRelation(q)
	}
	return nil, newErr(codeFeatureNotSupport, "weir answers the catalog queries of psql's \\l, \\dn, \\dt and \\d; this one is not supported (use SHOW CONNECTIONS or SHOW STREAM PROCESSORS)")
}

func (q *catQuery) matches(r relation) bool {
	return (q.relname == nil || q.relname.MatchString(r.name)) && (q.nspname == nil || q.nspname.MatchString(r.schema))
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// describeRelation answers \d NAME's follow-up queries, which name the
// relation by OID.
func (s *session) describeRelation(q *catQuery) (*result, error) {
	var rel *relation
	for _, r := range s.relations() {
		if strconv.FormatUint(uint64(r.oid), 10) == q.oid {
			rel = &r
			break
		}
	}
	empty := func(names ...string) *result {
		cols := make([]column, len(names))
		for i, n := range names {
			cols[i] = column{name: n, oid: oidText}
		}
		return rowsResult("SELECT", cols, nil)
	}
	switch {
	case rel == nil:
		return empty("oid"), nil
	case contains(q.selects, "RELCHECKS"):
		// The relation's flags: no indexes, rules, triggers or checks,
		// so psql asks nothing more about them.
		cols := []column{{"relchecks", oidInt2}, {"relkind", oidChar}, {"relhasindex", oidBool}, {"relhasrules", oidBool},
			{"relhastriggers", oidBool}, {"relrowsecurity", oidBool}, {"relforcerowsecurity", oidBool}, {"relhasoids", oidBool},
			{"relispartition", oidBool}, {"", oidText}, {"reltablespace", oidOID}, {"reloftype", oidText},
			{"relpersistence", oidChar}, {"relreplident", oidChar}, {"amname", oidName}}
		return rowsResult("SELECT", cols, [][]any{{int32(0), rel.kind, false, false, false, false, false, false, false, "", uint32(0), "", "p", "d", nil}}), nil
	case contains(q.selects, "ATTNAME"):
		return s.describeColumns(rel, q)
	case contains(q.selects, "PG_GET_VIEWDEF") && rel.kind == "v":
		return rowsResult("SELECT", []column{{"pg_get_viewdef", oidText}}, [][]any{{rel.pipeline}}), nil
	}
	// Policies, statistics, publications, inheritance, …: weir has none.
	return empty(q.selects...), nil
}

// describeColumns lists the fields seen in a stream's or collection's
// first documents, with the type of their first value.
func (s *session) describeColumns(rel *relation, q *catQuery) (*result, error) {
	type field struct{ name, typ string }
	var fields []field
	seen := map[string]bool{}
	if rel.file != "" {
		lines, _ := readHead(rel.file, 100)
		for _, d := range lines {
			for _, e := range d {
				if !seen[e.Key] {
					seen[e.Key] = true
					fields = append(fields, field{e.Key, typeName(valueType(e.Value))})
				}
			}
		}
	} else {
		fields = append(fields, field{"pipeline", "jsonb"})
	}
	// psql 15 reads: attname, format_type, the default, attnotnull,
	// attcollation, attidentity, attgenerated (and more with \d+).
	names := []string{"attname", "format_type", "pg_get_expr", "attnotnull", "attcollation", "attidentity", "attgenerated"}
	cols := []column{{"attname", oidName}, {"format_type", oidText}, {"pg_get_expr", oidText}, {"attnotnull", oidBool},
		{"attcollation", oidName}, {"attidentity", oidChar}, {"attgenerated", oidChar}}
	_ = names
	var rows [][]any
	for _, f := range fields {
		rows = append(rows, []any{f.name, f.typ, nil, false, nil, "", ""})
	}
	return rowsResult("SELECT", cols, rows), nil
}

// readHead reads up to n documents of a JSON Lines file.
func readHead(path string, n int) ([]bson.D, error) {
	f := connectors.File{Dir: filepath.Dir(path)}
	lines, err := f.ReadStream(strings.TrimSuffix(filepath.Base(path), ".jsonl"))
	if err != nil {
		return nil, err
	}
	var out []bson.D
	for _, l := range lines {
		if l.Err == nil {
			out = append(out, l.Doc)
		}
		if len(out) == n {
			break
		}
	}
	return out, nil
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
