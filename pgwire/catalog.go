package pgwire

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/parser"
	"github.com/weir-stream/weir/planner"
	"github.com/weir-stream/weir/planner/mql"
)

// pg_catalog and information_schema are virtual relations: a statement
// that reads them is translated from PostgreSQL's SQL to SQLite's
// (catalog_sql.go) and evaluated for real (joins, sub-selects, UNION,
// CASE, ORDER BY) over an in-memory SQLite database filled from the
// engine's catalog (catalog_db.go):
//
//   - schemas: one per connection, weir (stream processors), public,
//     pg_catalog and information_schema; every one is on the search path,
//     so pg_table_is_visible holds for every stream whose name no schema
//     before it in the path (pg_catalog, public, the connections by name,
//     weir) also has;
//   - tables: the streams (DIR/NAME.jsonl) and collections (DIR/DB/COLL.jsonl,
//     named "DB.COLL") of file: connections, and the Kafka topics and
//     MongoDB collections the stream processors read, look up and write;
//     their columns are the fields of their first documents;
//   - views: the stream processors, in schema weir, whose definition
//     (pg_get_viewdef) is the pipeline and whose columns are what it
//     writes;
//   - the catalog relations themselves, with PostgreSQL 15's columns.

// isCatalogQuery reports whether a statement is for the catalog: it reads
// pg_catalog or information_schema relations, or it is a SELECT without
// FROM that calls a catalog function (format_type(…)) or casts to a reg*
// type ('orders'::regclass).
func isCatalogQuery(t []token) bool {
	for i, tk := range t {
		if tk.kind != tkWord {
			continue
		}
		if tk.val == "INFORMATION_SCHEMA" || tk.val == "PG_CATALOG" {
			return true
		}
		// A pg_ relation (pg_class, pg_namespace) makes a catalog query; a
		// pg_ function call (pg_backend_pid()) does not.
		if strings.HasPrefix(tk.val, "PG_") && (i+1 == len(t) || t[i+1].val != "(") {
			return true
		}
	}
	if !words(t, "SELECT") || hasTopLevel(t, "FROM") {
		return false
	}
	for i, tk := range t {
		switch {
		case tk.kind == tkWord && i+1 < len(t) && t[i+1].val == "(" && catalogOnlyFuncs[strings.ToLower(tk.val)]:
			return true
		case tk.val == "::" && i+1 < len(t) && strings.HasPrefix(t[i+1].val, "REG"):
			return true
		}
	}
	return false
}

// catalogOnlyFuncs make a SELECT without FROM a catalog query.
var catalogOnlyFuncs = map[string]bool{
	"pg_get_userbyid": true, "format_type": true, "pg_table_is_visible": true, "pg_encoding_to_char": true,
	"obj_description": true, "col_description": true, "shobj_description": true, "pg_get_viewdef": true,
	"pg_get_expr": true, "current_schemas": true, "has_table_privilege": true, "has_schema_privilege": true,
	"has_database_privilege": true, "pg_get_indexdef": true, "pg_get_constraintdef": true,
	"pg_relation_is_publishable": true, "pg_size_pretty": true, "pg_table_size": true, "pg_relation_size": true,
	"pg_total_relation_size": true, "quote_ident": true, "pg_function_is_visible": true, "pg_type_is_visible": true,
	"array_to_string": true, "pg_get_function_result": true, "pg_get_function_arguments": true,
}

const (
	ownerOID            = 10
	ownerName           = "weir"
	databaseOID         = 5
	nsPgCatalog         = 11
	nsPublic            = 2200
	nsInformationSchema = 13207
	amHeap              = 2
	collDefault         = 100
)

// catState is what the translation needs of the catalog: OIDs by name for
// 'name'::regclass and friends, and the search path.
type catState struct {
	rels  map[string]uint32 // "schema\x00name"
	nss   map[string]uint32
	roles map[string]uint32
	path  []string
}

// engRel is a stream, collection or processor.
type engRel struct {
	schema, name string
	kind         byte // 'r' or 'v'
	cols         []catalogColumn
	file         string
	viewdef      string
	size         int64
	hasSize      bool
}

// engineRelations lists the streams, collections and processors.
func (s *session) engineRelations() []engRel {
	var rels []engRel
	seen := map[string]bool{}
	add := func(r engRel) {
		k := r.schema + "\x00" + r.name
		if !seen[k] {
			seen[k] = true
			rels = append(rels, r)
		}
	}
	eng := s.srv.Engine
	fileConns := map[string]connectors.File{}
	for _, c := range eng.Connections() {
		if c.Type != "file" {
			continue
		}
		dir, _ := c.Options["dir"].(string)
		f := connectors.File{Dir: dir}
		fileConns[c.Name] = f
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if e.IsDir() {
				sub, _ := os.ReadDir(filepath.Join(dir, e.Name()))
				for _, se := range sub {
					if coll, ok := strings.CutSuffix(se.Name(), ".jsonl"); ok && !se.IsDir() {
						add(fileRel(c.Name, e.Name()+"."+coll, f.CollectionPath(e.Name(), coll)))
					}
				}
				continue
			}
			if topic, ok := strings.CutSuffix(e.Name(), ".jsonl"); ok {
				add(fileRel(c.Name, topic, f.StreamPath(topic)))
			}
		}
	}
	byName := func(conn, name string) *engRel {
		for i := range rels {
			if rels[i].schema == conn && rels[i].name == name {
				return &rels[i]
			}
		}
		return nil
	}
	procs := eng.Processors()
	// What processors name on other connections (Kafka topics, MongoDB
	// collections): relations without sampled columns.
	for _, p := range procs {
		for _, n := range namedRelations(p.Processor) {
			if _, isFile := fileConns[n[0]]; !isFile && n[0] != "" {
				add(engRel{schema: n[0], name: n[1], kind: 'r'})
			}
		}
	}
	for _, p := range procs {
		r := engRel{schema: "weir", name: p.Name, kind: 'v'}
		if text, err := mql.Encode(p.Processor, false); err == nil {
			r.viewdef = strings.TrimRight(string(text), "\n")
		}
		var src *engRel
		if ns := namedRelations(p.Processor); len(ns) > 0 {
			src = byName(ns[0][0], ns[0][1])
		}
		r.cols = processorColumns(p.Processor, src)
		add(r)
	}
	sort.SliceStable(rels, func(i, j int) bool {
		if rels[i].schema != rels[j].schema {
			return rels[i].schema < rels[j].schema
		}
		return rels[i].name < rels[j].name
	})
	return rels
}

func fileRel(conn, name, path string) engRel {
	r := engRel{schema: conn, name: name, kind: 'r', file: path, cols: sampleColumns(path)}
	if fi, err := os.Stat(path); err == nil {
		r.size, r.hasSize = fi.Size(), true
	}
	return r
}

// namedRelations are the (connection, name) pairs a processor reads
// (first, its $source), looks up and writes.
func namedRelations(p *mql.Processor) [][2]string {
	var out [][2]string
	var walk func(mql.Pipeline)
	walk = func(pl mql.Pipeline) {
		for _, st := range pl {
			switch x := st.(type) {
			case *mql.Source:
				for _, t := range x.Topics {
					out = append(out, [2]string{x.ConnectionName, t})
				}
				for _, c := range x.Colls {
					out = append(out, [2]string{x.ConnectionName, x.DB + "." + c})
				}
			case *mql.Lookup:
				if x.From != nil {
					out = append(out, [2]string{x.From.ConnectionName, x.From.DB + "." + x.From.Coll})
				}
				walk(x.Pipeline)
			case *mql.CachedLookup:
				out = append(out, [2]string{x.From.ConnectionName, x.From.DB + "." + x.From.Coll})
			case *mql.Merge:
				if x.Into.DB.Expr == nil && x.Into.Coll.Expr == nil {
					out = append(out, [2]string{x.Into.ConnectionName, x.Into.DB.Name + "." + x.Into.Coll.Name})
				}
			case *mql.Emit:
				if x.Topic.Name != "" && x.Topic.Expr == nil {
					out = append(out, [2]string{x.ConnectionName, x.Topic.Name})
				}
			}
		}
	}
	if p != nil {
		walk(p.Pipeline)
	}
	return out
}

// processorColumns are the fields a processor writes: its last $project's,
// typed by the source's sampled columns where they are copied, or the
// source's columns when it has no $project.
func processorColumns(p *mql.Processor, src *engRel) []catalogColumn {
	srcType := func(name string) string {
		if src != nil {
			for _, c := range src.cols {
				if c.name == name {
					return c.typ
				}
			}
		}
		return "text"
	}
	for i := len(p.Pipeline) - 1; i >= 0; i-- {
		switch st := p.Pipeline[i].(type) {
		case *mql.Merge, *mql.Emit, *mql.Limit, *mql.Match, *mql.Sort:
			continue
		case *mql.Project:
			var cols []catalogColumn
			for _, f := range st.Fields {
				switch f.Kind {
				case mql.Include:
					cols = append(cols, catalogColumn{lastPart(f.Path), srcType(f.Path)})
				case mql.Compute:
					typ := exprTypeName(f.Expr)
					if fp, ok := f.Expr.(mql.FieldPath); ok {
						typ = srcType(fp.Path)
					}
					cols = append(cols, catalogColumn{lastPart(f.Path), typ})
				}
			}
			return cols
		case *mql.Source:
			if src != nil {
				return src.cols
			}
		}
		return nil
	}
	return nil
}

func exprTypeName(e mql.Expr) string {
	switch exprType(e) {
	case oidBool:
		return "bool"
	case oidInt4:
		return "int4"
	case oidInt8:
		return "int8"
	case oidFloat8:
		return "float8"
	case oidTimestamptz:
		return "timestamptz"
	case oidJSONB:
		return "jsonb"
	}
	return "text"
}

// sampleColumns lists the fields seen in a stream's or collection's first
// 100 documents, typed by their values: numeric for numbers, boolean,
// timestamptz for dates, jsonb for documents and arrays, text for strings
// and for fields whose values disagree or are all null.
func sampleColumns(path string) []catalogColumn {
	docs, _ := readHead(path, 100)
	var cols []catalogColumn
	idx := map[string]int{}
	for _, d := range docs {
		for _, e := range d {
			t := sampleType(e.Value)
			i, ok := idx[e.Key]
			if !ok {
				idx[e.Key] = len(cols)
				cols = append(cols, catalogColumn{e.Key, t})
				continue
			}
			switch prev := cols[i].typ; {
			case t == "" || prev == t:
			case prev == "":
				cols[i].typ = t
			default:
				cols[i].typ = "text"
			}
		}
	}
	for i := range cols {
		if cols[i].typ == "" {
			cols[i].typ = "text"
		}
	}
	return cols
}

func sampleType(v any) string {
	switch v.(type) {
	case nil, bson.Null, bson.Undefined:
		return ""
	case int32, int64, float64, bson.Decimal128:
		return "numeric"
	case bool:
		return "bool"
	case bson.DateTime, time.Time, bson.Timestamp:
		return "timestamptz"
	case bson.D, bson.A, bson.M, []any:
		return "jsonb"
	}
	return "text"
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

// catalogRows builds every dynamic row of the catalog database from the
// engine's state and the session.
func (s *session) catalogRows() (catalogRows, *catState) {
	rows := catalogRows{}
	st := &catState{rels: map[string]uint32{}, nss: map[string]uint32{}, roles: map[string]uint32{}}
	taken := map[uint32]bool{}
	db := s.database

	// Schemas.
	engRels := s.engineRelations()
	conns := map[string]bool{}
	for _, c := range s.srv.Engine.Connections() {
		conns[c.Name] = true
	}
	for _, r := range engRels {
		if r.schema != "weir" {
			conns[r.schema] = true
		}
	}
	connNames := sortedKeys(conns)
	st.path = append(append([]string{"public"}, connNames...), "weir")
	st.nss["pg_catalog"], st.nss["public"], st.nss["information_schema"] = nsPgCatalog, nsPublic, nsInformationSchema
	for _, n := range append(connNames, "weir") {
		if _, ok := st.nss[n]; !ok {
			st.nss[n] = hashOID("namespace:"+n, taken)
		}
	}
	for _, n := range sortedKeys(st.nss) {
		rows.add("pg_namespace", map[string]any{"oid": st.nss[n], "nspname": n, "nspowner": ownerOID})
		rows.add("schemata", map[string]any{"catalog_name": db, "schema_name": n, "schema_owner": ownerName})
	}

	// Roles, the database, settings.
	st.roles[ownerName] = ownerOID
	roleNames := []string{ownerName}
	if s.user != "" && s.user != ownerName {
		st.roles[s.user] = hashOID("role:"+s.user, taken)
		roleNames = append(roleNames, s.user)
	}
	for _, r := range roleNames {
		super := r == ownerName || s.user == r
		rows.add("pg_roles", map[string]any{"oid": st.roles[r], "rolname": r, "rolsuper": super, "rolinherit": true,
			"rolcreaterole": super, "rolcreatedb": super, "rolcanlogin": true, "rolconnlimit": -1,
			"rolpassword": "********", "rolbypassrls": super})
		rows.add("pg_user", map[string]any{"usename": r, "usesysid": st.roles[r], "usecreatedb": super, "usesuper": super,
			"usebypassrls": super, "passwd": "********"})
	}
	rows.add("pg_database", map[string]any{"oid": databaseOID, "datname": db, "datdba": ownerOID, "encoding": 6,
		"datlocprovider": "c", "datallowconn": true, "datconnlimit": -1, "datminmxid": 1, "dattablespace": 1663,
		"datcollate": "C", "datctype": "C"})
	settings := map[string]string{"max_index_keys": "32", "block_size": "8192", "max_identifier_length": "63"}
	for k, v := range s.settings.vals {
		settings[k] = v
	}
	for _, k := range sortedKeys(settings) {
		name := k
		if n, ok := s.settings.names[k]; ok {
			name = n
		}
		rows.add("pg_settings", map[string]any{"name": name, "setting": settings[k], "category": "Ungrouped",
			"short_desc": "", "context": "user", "vartype": "string", "source": "default", "boot_val": settings[k],
			"reset_val": settings[k], "pending_restart": false})
	}

	// Relations: the catalog's own, then the engine's.
	type relRow struct {
		oid    uint32
		ns     string
		name   string
		kind   byte
		cols   []catalogColumn
		engine *engRel
	}
	var all []relRow
	for _, r := range pg15Relations {
		all = append(all, relRow{oid: hashOID("relation:"+r.schema+"."+r.name, taken), ns: r.schema, name: r.name, kind: r.kind, cols: r.cols()})
	}
	for i := range engRels {
		r := &engRels[i]
		all = append(all, relRow{oid: hashOID("relation:"+r.schema+"."+r.name, taken), ns: r.schema, name: r.name, kind: r.kind, cols: r.cols, engine: r})
	}
	visibleName := map[string]bool{}
	for _, ns := range append([]string{"pg_catalog"}, st.path...) {
		for _, r := range all {
			if r.ns != ns || visibleName[r.name] {
				continue
			}
			visibleName[r.name] = true
			rows.add("weir_visible", map[string]any{"oid": r.oid})
		}
	}
	for _, r := range all {
		st.rels[r.ns+"\x00"+r.name] = r.oid
		nsOID := st.nss[r.ns]
		am := uint32(0)
		replident := "n"
		if r.kind == 'r' {
			replident = "d"
		}
		if r.kind == 'r' && r.engine == nil {
			am = amHeap
		}
		rows.add("pg_class", map[string]any{"oid": r.oid, "relname": r.name, "relnamespace": nsOID, "relowner": ownerOID,
			"relam": am, "reltuples": -1.0, "relpersistence": "p", "relkind": string(r.kind), "relnatts": len(r.cols),
			"relhasrules": r.kind == 'v', "relispopulated": true, "relreplident": replident})
		display := quoteIdent(r.name)
		if !visibleName[r.name] || st.rels[r.ns+"\x00"+r.name] != r.oid {
			display = quoteIdent(r.ns) + "." + display
		}
		rows.add("weir_regclass", map[string]any{"oid": r.oid, "name": display})
		isSchema := r.ns == "pg_catalog" || r.ns == "information_schema"
		tableType := "BASE TABLE"
		if r.kind == 'v' {
			tableType = "VIEW"
		}
		rows.add("tables", map[string]any{"table_catalog": db, "table_schema": r.ns, "table_name": r.name,
			"table_type": tableType, "is_insertable_into": "NO", "is_typed": "NO"})
		if r.kind == 'v' {
			def := ""
			if r.engine != nil {
				def = r.engine.viewdef
			}
			rows.add("pg_views", map[string]any{"schemaname": r.ns, "viewname": r.name, "viewowner": ownerName, "definition": def})
			rows.add("views", map[string]any{"table_catalog": db, "table_schema": r.ns, "table_name": r.name,
				"view_definition": def, "check_option": "NONE", "is_updatable": "NO", "is_insertable_into": "NO",
				"is_trigger_updatable": "NO", "is_trigger_deletable": "NO", "is_trigger_insertable_into": "NO"})
			rows.add("weir_viewdef", map[string]any{"oid": r.oid, "def": def})
			rows.add("pg_rewrite", map[string]any{"oid": hashOID("rule:"+r.ns+"."+r.name, taken), "rulename": "_RETURN",
				"ev_class": r.oid, "ev_type": "1", "ev_enabled": "O", "is_instead": true})
		} else {
			rows.add("pg_tables", map[string]any{"schemaname": r.ns, "tablename": r.name, "tableowner": ownerName})
		}
		if r.engine != nil && r.engine.hasSize {
			rows.add("weir_relsize", map[string]any{"oid": r.oid, "bytes": r.engine.size})
		} else if !isSchema {
			rows.add("weir_relsize", map[string]any{"oid": r.oid, "bytes": 0})
		}
		for i, c := range r.cols {
			t := pgTypeByName(c.typ)
			if t == nil {
				t = pgTypeByName("text")
			}
			rows.add("pg_attribute", map[string]any{"attrelid": r.oid, "attname": c.name, "atttypid": t.oid,
				"attstattarget": -1, "attlen": t.len, "attnum": i + 1, "attcacheoff": -1, "atttypmod": -1,
				"attbyval": t.byval, "attalign": t.align, "attstorage": t.storage, "attcompression": "",
				"attidentity": "", "attgenerated": "", "attislocal": true, "attcollation": t.collation})
			dataType := t.sqlName()
			if t.category == 'A' {
				dataType = "ARRAY"
			}
			rows.add("columns", map[string]any{"table_catalog": db, "table_schema": r.ns, "table_name": r.name,
				"column_name": c.name, "ordinal_position": i + 1, "is_nullable": "YES", "data_type": dataType,
				"udt_catalog": db, "udt_schema": "pg_catalog", "udt_name": t.name, "dtd_identifier": strconv.Itoa(i + 1),
				"is_self_referencing": "NO", "is_identity": "NO", "is_generated": "NEVER", "is_updatable": "NO"})
		}
	}
	return rows, st
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// maxCatalogRows and maxCatalogBytes bound a catalog query's result,
// which is held in memory before it is sent.
const (
	maxCatalogRows  = 100000
	maxCatalogBytes = 64 << 20
)

// catalogTimeout bounds a catalog query. psql's and the drivers' take
// milliseconds; one that would run on (a recursive CTE without end, the
// catalog cross-joined with itself) ends with 57014, as at PostgreSQL's
// statement_timeout, and the session goes on.
var catalogTimeout = 5 * time.Second

// catalog runs a catalog query.
func (s *session) catalog(st stmtText) (res *result, err error) {
	// Whatever a client sends must not take the server down: a panic in
	// the translation or in reading the result is this query's error.
	// (The Go functions SQLite calls recover on their own, catalog_funcs.go.)
	defer func() {
		if r := recover(); r != nil {
			s.srv.logger().Error("catalog query panicked", "query", st.sql, "panic", r, "stack", string(debug.Stack()))
			res, err = nil, newErr(codeInternal, fmt.Sprintf("catalog query failed: %v", r))
		}
	}()
	rows, state := s.catalogRows()
	sqlText, err := translateCatalog(st, s, state)
	if err != nil {
		return nil, err
	}
	if err := checkCatalogSQL(sqlText); err != nil {
		s.srv.logger().Error("catalog translation refused", "query", st.sql, "sqlite", sqlText, "err", err)
		return nil, newErr(codeInternal, "catalog query failed: "+err.Error())
	}
	ctx, cancel := context.WithCancelCause(s.ctx)
	defer cancel(nil)
	s.setActive(cancel)
	defer s.setActive(nil)
	ctx, stop := context.WithTimeoutCause(ctx, catalogTimeout, newErr(codeQueryCanceled, "canceling statement due to statement timeout"))
	defer stop()
	if s.catdb == nil {
		db, err := openCatalogDB(ctx)
		if err != nil {
			return nil, interrupted(ctx, err)
		}
		s.catdb = db
	}
	if err := s.catdb.load(ctx, rows); err != nil {
		return nil, interrupted(ctx, err)
	}
	qrows, err := s.catdb.conn.QueryContext(ctx, sqlText)
	if err != nil {
		return nil, sqliteError(ctx, err)
	}
	defer qrows.Close()
	ctypes, err := qrows.ColumnTypes()
	if err != nil {
		return nil, sqliteError(ctx, err)
	}
	var data [][]any
	size := 0
	for qrows.Next() {
		vals := make([]any, len(ctypes))
		ptrs := make([]any, len(ctypes))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := qrows.Scan(ptrs...); err != nil {
			return nil, sqliteError(ctx, err)
		}
		data = append(data, vals)
		if len(data) > maxCatalogRows {
			return nil, newErr("54000", fmt.Sprintf("catalog query returns more than %d rows", maxCatalogRows))
		}
		for _, v := range vals {
			size += 16
			switch v := v.(type) {
			case string:
				size += len(v)
			case []byte:
				size += len(v)
			}
		}
		if size > maxCatalogBytes {
			return nil, newErr("54000", fmt.Sprintf("catalog query returns more than %d MiB", maxCatalogBytes>>20))
		}
	}
	if err := qrows.Err(); err != nil {
		return nil, sqliteError(ctx, err)
	}
	items := selectItems(st.toks)
	cols := make([]column, len(ctypes))
	types := make([]string, len(ctypes))
	for i, ct := range ctypes {
		name, typ := ct.Name(), ""
		if len(items) == len(ctypes) {
			name, typ = items[i].name, items[i].typ
		}
		if typ == "" || typ == "column" {
			if d := strings.Fields(strings.ToLower(ct.DatabaseTypeName())); len(d) > 0 {
				typ = d[0]
			}
		}
		if typ == "" || typ == "column" {
			typ = valuesType(data, i)
		}
		types[i] = typ
		cols[i] = column{name: name, oid: wireOID(typ)}
	}
	for _, row := range data {
		for i, v := range row {
			row[i] = wireValue(v, types[i])
		}
	}
	return rowsResult("SELECT", cols, data), nil
}

// valuesType types a computed column by its values.
func valuesType(data [][]any, i int) string {
	for _, row := range data {
		switch row[i].(type) {
		case int64:
			return "int8"
		case float64:
			return "float8"
		case string, []byte:
			return "text"
		}
	}
	return "text"
}

// wireValue converts a SQLite value for a column of PostgreSQL type typ.
func wireValue(v any, typ string) any {
	if v == nil {
		return nil
	}
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	switch {
	case typ == "bool":
		switch x := v.(type) {
		case int64:
			return x != 0
		case float64:
			return x != 0
		case string:
			return x == "t" || x == "1" || x == "true"
		}
	case typ == "int2" || typ == "int4" || typ == "int8" || typ == "oid":
		switch x := v.(type) {
		case int64:
			return x
		case float64:
			return int64(x)
		case string:
			if n, err := strconv.ParseInt(x, 10, 64); err == nil {
				return n
			}
			return x
		}
	case typ == "float4" || typ == "float8":
		switch x := v.(type) {
		case int64:
			return float64(x)
		case string:
			if f, err := strconv.ParseFloat(x, 64); err == nil {
				return f
			}
		}
	case strings.HasPrefix(typ, "_") || typ == "int2vector" || typ == "oidvector":
		return pgArrayText(str(v), !strings.HasPrefix(typ, "_"))
	}
	return str(v)
}

var sqliteMsg = regexp.MustCompile(`^(?:[A-Za-z ]+ error: )?(.*?)(?: \(\d+\))?$`)

// interrupted is why ctx ended (a cancel, the timeout, the session's end)
// when it did, else err.
func interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return err
}

// sqliteError turns what SQLite reports into a PostgreSQL error.
func sqliteError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if errors.Is(err, sql.ErrConnDone) {
		return newErr("58000", err.Error())
	}
	msg := sqliteMsg.FindStringSubmatch(err.Error())[1]
	if i := strings.Index(msg, "weir:"); i >= 0 {
		code, m, _ := strings.Cut(msg[i+len("weir:"):], ":")
		return newErr(code, m)
	}
	quoted := func(prefix string) (string, bool) {
		rest, ok := strings.CutPrefix(msg, prefix)
		return strings.TrimSpace(rest), ok
	}
	if n, ok := quoted("no such table:"); ok {
		return newErr(codeUndefinedTable, fmt.Sprintf("relation %q does not exist", n))
	}
	if n, ok := quoted("no such column:"); ok {
		return newErr("42703", fmt.Sprintf("column %q does not exist", n))
	}
	if n, ok := quoted("no such function:"); ok {
		return &pgError{severity: "ERROR", code: "42883", msg: fmt.Sprintf("function %s does not exist", strings.ToLower(n)),
			hint: "weir's catalog has the functions psql and the common drivers call; see docs/pgwire.md"}
	}
	if strings.HasPrefix(msg, "wrong number of arguments to function") {
		return newErr("42883", msg)
	}
	if strings.HasPrefix(msg, "string or blob too big") || strings.HasPrefix(msg, "too many ") || strings.Contains(msg, "too large (maximum depth") {
		// SQLite's limits on what one query may build (catalog_db.go).
		return newErr("54000", "catalog query exceeds a limit: "+msg)
	}
	if strings.HasSuffix(msg, "syntax error") || strings.HasPrefix(msg, "incomplete input") {
		return newErr(codeSyntax, msg)
	}
	return newErr(codeFeatureNotSupport, "catalog query: "+msg)
}

// catalogPosErr is an error at a byte offset of the statement.
func catalogPosErr(off int, code, msg string) error {
	return &planner.Error{Pos: parser.Pos{Line: 1, Column: 1, Offset: off}, Code: code, Msg: msg}
}
