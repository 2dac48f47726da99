package pgwire

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"modernc.org/sqlite"
)

// The catalog database: one in-memory SQLite database per session (opened
// at its first catalog query), with pg_catalog and information_schema
// attached as schemas of their own so qualified and unqualified names both
// resolve. Its relations have PostgreSQL 15's columns (catalog_pg15.go,
// read from a real server); the built-in types, access methods, collations,
// tablespaces and languages are PostgreSQL's rows; everything else is
// filled from the engine's catalog (catalog.go) and refilled when that
// changes. Hidden tables in the main schema back the functions that need
// the session's catalog: weir_visible (pg_table_is_visible), weir_viewdef
// (pg_get_viewdef), weir_regclass (oid::regclass) and weir_relsize
// (pg_table_size).

// catalogRelation is one emulated relation: its schema, name, relkind and
// columns ("name type, …", PostgreSQL type names).
type catalogRelation struct {
	schema, name string
	kind         byte
	columns      string
}

type catalogColumn struct{ name, typ string }

func (r catalogRelation) cols() []catalogColumn {
	var out []catalogColumn
	for c := range strings.SplitSeq(r.columns, ", ") {
		name, typ, _ := strings.Cut(c, " ")
		out = append(out, catalogColumn{name, typ})
	}
	return out
}

// pgType is a row of pg15Types, with what the catalog reads of it.
type pgType struct {
	oid            uint32
	name           string
	len            int
	byval          bool
	category       byte
	elem, array    uint32
	align, storage string
	collation      uint32
	fields         []string // the whole row, COPY text
}

var pgTypes = sync.OnceValues(func() (map[uint32]*pgType, map[string]*pgType) {
	byOID, byName := map[uint32]*pgType{}, map[string]*pgType{}
	for line := range strings.SplitSeq(strings.TrimSpace(pg15Types), "\n") {
		f := strings.Split(line, "\t")
		oid, _ := strconv.ParseUint(f[0], 10, 32)
		n, _ := strconv.Atoi(f[4])
		elem, _ := strconv.ParseUint(f[13], 10, 32)
		arr, _ := strconv.ParseUint(f[14], 10, 32)
		coll, _ := strconv.ParseUint(f[28], 10, 32)
		t := &pgType{oid: uint32(oid), name: f[1], len: n, byval: f[5] == "t", category: f[7][0], elem: uint32(elem),
			array: uint32(arr), align: f[22], storage: f[23], collation: uint32(coll), fields: f}
		byOID[t.oid] = t
		byName[t.name] = t
	}
	return byOID, byName
})

func pgTypeByOID(oid uint32) *pgType { m, _ := pgTypes(); return m[oid] }

func pgTypeByName(name string) *pgType { _, m := pgTypes(); return m[name] }

// typeAliases are the SQL spellings of type names ('integer'::regtype).
var typeAliases = map[string]string{
	"integer": "int4", "int": "int4", "smallint": "int2", "bigint": "int8", "boolean": "bool",
	"real": "float4", "double precision": "float8", "character varying": "varchar", "character": "bpchar",
	"decimal": "numeric", "timestamp with time zone": "timestamptz", "timestamp without time zone": "timestamp",
	"time with time zone": "timetz", "time without time zone": "time", `"char"`: "char",
}

// sqlName is format_type's spelling.
func (t *pgType) sqlName() string {
	names := map[string]string{
		"int4": "integer", "int2": "smallint", "int8": "bigint", "bool": "boolean", "float4": "real",
		"float8": "double precision", "varchar": "character varying", "bpchar": "character",
		"timestamptz": "timestamp with time zone", "timestamp": "timestamp without time zone",
		"timetz": "time with time zone", "time": "time without time zone", "char": `"char"`,
	}
	if t.elem != 0 && t.len == -1 && strings.HasPrefix(t.name, "_") {
		if e := pgTypeByOID(t.elem); e != nil {
			return e.sqlName() + "[]"
		}
	}
	if n, ok := names[t.name]; ok {
		return n
	}
	return t.name
}

// wireOID is the type a column of this PostgreSQL type is sent as: weir
// encodes a fixed set of types in binary (types.go), so the rest go out as
// text, which every client reads.
func wireOID(typ string) uint32 {
	switch typ {
	case "bool":
		return oidBool
	case "int2":
		return oidInt2
	case "int4":
		return oidInt4
	case "int8":
		return oidInt8
	case "oid":
		return oidOID
	case "float4", "float8":
		return oidFloat8
	case "name":
		return oidName
	case "char":
		return oidChar
	case "varchar":
		return oidVarchar
	}
	return oidText
}

// sqliteType is the declared type of a catalog column: the PostgreSQL
// type name (which the result columns are typed by) and the SQLite
// affinity its values need.
func sqliteType(typ string) string {
	switch typ {
	case "bool", "int2", "int4", "int8", "oid", "xid", "cid":
		return typ + " integer"
	case "float4", "float8":
		return typ + " real"
	}
	return typ + " text"
}

// catalogDB is a session's catalog database.
type catalogDB struct {
	db   *sql.DB
	conn *sql.Conn
	// loaded is the fingerprint of the catalog the dynamic tables hold.
	loaded uint64
}

func openCatalogDB(ctx context.Context) (*catalogDB, error) {
	db := sql.OpenDB(catalogConnector{})
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	openCatalogDBs.Add(1)
	c := &catalogDB{db: db, conn: conn}
	if err := c.create(ctx); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

func (c *catalogDB) close() {
	if c == nil {
		return
	}
	c.conn.Close()
	c.db.Close()
	openCatalogDBs.Add(-1)
}

// SQLite's limits (sqlite3_limit) on what a catalog query may build: a
// row's values live in SQLite's memory (outside Go's heap) at once, so
// what one query holds is about columns × value size, and function
// arguments × value size per call.
const (
	limitLength, limitColumn, limitExprDepth, limitCompound = 0, 2, 3, 4
	limitFunctionArg, limitAttached                         = 6, 7
)

// queryLimits are set between loads: values of at most maxCatalogValue
// (a view definition is the longest; a name has 63 bytes), PostgreSQL's
// 100 function arguments, no database attached beyond pg_catalog and
// information_schema (ATTACH can open any file: the translation refuses
// it, and so does SQLite). A load raises the value limit for its own
// inserts.
var queryLimits = []struct{ id, val int }{
	{limitLength, maxCatalogValue}, {limitColumn, 250}, {limitFunctionArg, 100}, {limitAttached, 2},
	{limitCompound, 100},
}

const loadLength = 64 << 20

// openCatalogDBs counts the open catalog databases (a test checks that a
// session's is closed however it ends).
var openCatalogDBs atomic.Int64

func (c *catalogDB) setLimits() error {
	for _, l := range queryLimits {
		if _, err := sqlite.Limit(c.conn, l.id, l.val); err != nil {
			return err
		}
	}
	return nil
}

func (c *catalogDB) create(ctx context.Context) error {
	if _, err := sqlite.Limit(c.conn, limitLength, loadLength); err != nil {
		return err
	}
	stmts := []string{
		`ATTACH ':memory:' AS pg_catalog`,
		`ATTACH ':memory:' AS information_schema`,
		`CREATE TABLE main.weir_visible (oid oid integer PRIMARY KEY)`,
		`CREATE TABLE main.weir_viewdef (oid oid integer PRIMARY KEY, def text text)`,
		`CREATE TABLE main.weir_regclass (oid oid integer PRIMARY KEY, name text text)`,
		`CREATE TABLE main.weir_relsize (oid oid integer PRIMARY KEY, bytes int8 integer)`,
	}
	for _, r := range pg15Relations {
		var cols []string
		for _, col := range r.cols() {
			cols = append(cols, `"`+col.name+`" `+sqliteType(col.typ))
		}
		stmts = append(stmts, fmt.Sprintf(`CREATE TABLE %s.%s (%s)`, r.schema, r.name, strings.Join(cols, ", ")))
	}
	for _, s := range stmts {
		if _, err := c.conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("catalog: %s: %w", s, err)
		}
	}
	tx, err := c.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, st := range []struct{ table, rows string }{
		{"pg_type", pg15Types}, {"pg_am", pg15AccessMethods}, {"pg_collation", pg15Collations},
		{"pg_tablespace", pg15Tablespaces}, {"pg_language", pg15Languages},
	} {
		rel := catalogRel(st.table)
		cols := rel.cols()
		ins := insertSQL(rel)
		for line := range strings.SplitSeq(strings.TrimSpace(st.rows), "\n") {
			f := strings.Split(line, "\t")
			args := make([]any, len(cols))
			for i, col := range cols {
				args[i] = copyValue(f[i], col.typ)
			}
			if _, err := tx.ExecContext(ctx, ins, args...); err != nil {
				return fmt.Errorf("catalog: %s: %w", st.table, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return c.setLimits()
}

// copyValue reads one COPY text field into the catalog's representation.
func copyValue(f, typ string) any {
	switch {
	case f == `\N`:
		return nil
	case typ == "bool":
		return f == "t"
	case strings.HasPrefix(typ, "_") || typ == "int2vector" || typ == "oidvector":
		v, err := toJSONArray(f)
		if err != nil {
			return nil
		}
		return v
	}
	switch typ {
	case "oid", "int2", "int4", "int8", "xid":
		n, _ := strconv.ParseInt(f, 10, 64)
		return n
	case "float4", "float8":
		n, _ := strconv.ParseFloat(f, 64)
		return n
	}
	return f
}

func catalogRel(name string) catalogRelation {
	for _, r := range pg15Relations {
		if r.name == name {
			return r
		}
	}
	panic("pgwire: no catalog relation " + name)
}

func insertSQL(r catalogRelation) string {
	n := len(r.cols())
	return fmt.Sprintf(`INSERT INTO %s.%s VALUES (%s)`, r.schema, r.name, strings.TrimSuffix(strings.Repeat("?, ", n), ", "))
}

// catalogRows are the dynamic rows of the catalog database, by table
// ("pg_class", "weir_visible"); each row maps column names to values,
// columns left out take their type's default (false, 0 or NULL).
type catalogRows map[string][]map[string]any

func (rows catalogRows) add(table string, row map[string]any) {
	rows[table] = append(rows[table], row)
}

func (rows catalogRows) fingerprint() uint64 {
	h := fnv.New64a()
	for _, t := range sortedKeys(rows) {
		fmt.Fprintf(h, "%s\x00", t)
		for _, r := range rows[t] {
			for _, k := range sortedKeys(r) {
				fmt.Fprintf(h, "%s=%v\x00", k, r[k])
			}
			h.Write([]byte{1})
		}
	}
	return h.Sum64()
}

var hiddenTables = map[string][]string{
	"weir_visible":  {"oid"},
	"weir_viewdef":  {"oid", "def"},
	"weir_regclass": {"oid", "name"},
	"weir_relsize":  {"oid", "bytes"},
}

// dynamicTables are the tables load empties and refills.
func dynamicTables() []string {
	static := map[string]bool{"pg_type": true, "pg_am": true, "pg_collation": true, "pg_tablespace": true, "pg_language": true}
	var out []string
	for _, r := range pg15Relations {
		if !static[r.name] {
			out = append(out, r.schema+"."+r.name)
		}
	}
	for t := range hiddenTables {
		out = append(out, "main."+t)
	}
	return out
}

// load refills the dynamic tables when the catalog changed since the last
// load.
func (c *catalogDB) load(ctx context.Context, rows catalogRows) error {
	fp := rows.fingerprint()
	if fp == c.loaded {
		return nil
	}
	// Between loads the database is read-only (query_only), whatever a
	// query tries.
	if _, err := c.conn.ExecContext(ctx, "PRAGMA query_only = 0"); err != nil {
		return err
	}
	if _, err := sqlite.Limit(c.conn, limitLength, loadLength); err != nil {
		return err
	}
	tx, err := c.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, t := range dynamicTables() {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			return err
		}
	}
	for table, rs := range rows {
		var schema string
		var cols []catalogColumn
		if hc, ok := hiddenTables[table]; ok {
			schema = "main"
			for _, n := range hc {
				cols = append(cols, catalogColumn{n, ""})
			}
		} else {
			rel := catalogRel(table)
			schema, cols = rel.schema, rel.cols()
		}
		names := make([]string, len(cols))
		for i, col := range cols {
			names[i] = `"` + col.name + `"`
		}
		ins := fmt.Sprintf(`INSERT INTO %s.%s (%s) VALUES (%s)`, schema, table, strings.Join(names, ", "),
			strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", "))
		for _, r := range rs {
			args := make([]any, len(cols))
			for i, col := range cols {
				v, ok := r[col.name]
				if !ok {
					v = defaultValue(col.typ)
				}
				args[i] = v
			}
			if _, err := tx.ExecContext(ctx, ins, args...); err != nil {
				return fmt.Errorf("catalog: %s: %w", table, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	if _, err := c.conn.ExecContext(ctx, "PRAGMA query_only = 1"); err != nil {
		return err
	}
	if err := c.setLimits(); err != nil {
		return err
	}
	c.loaded = fp
	return nil
}

func defaultValue(typ string) any {
	switch typ {
	case "bool":
		return false
	case "oid", "int2", "int4", "int8", "xid", "float4", "float8":
		return 0
	}
	return nil
}

// hashOID gives a catalog object a stable OID (across queries, sessions and
// restarts) from its kind and name, in PostgreSQL's range for user
// objects; taken is what is already given out.
func hashOID(key string, taken map[uint32]bool) uint32 {
	h := fnv.New32a()
	h.Write([]byte(key))
	oid := firstUserOID + h.Sum32()%(1<<31-firstUserOID)
	for taken[oid] {
		oid++
	}
	taken[oid] = true
	return oid
}

const firstUserOID = 16384
