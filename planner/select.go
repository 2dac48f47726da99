package planner

import (
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/parser"
	"github.com/weir-stream/weir/planner/mql"
)

// query plans one SELECT: the stream it reads, its joins, and the stages
// that give its rows SQL's meaning.
type query struct {
	sel    *parser.Select
	target *parser.Name
	// streamAlias qualifies the FROM stream's fields: its alias, else the
	// last part of its name.
	streamAlias string
	// rels are the JOIN and UNNEST aliases; each is a field of the
	// stream document holding the joined document or array element.
	rels     map[string]*rel
	relOrder []string
	cols     []column
	pipeline mql.Pipeline
	// roots are the first path parts the query reads from the stream
	// document; computed fields avoid them so they don't shadow input.
	roots map[string]bool
}

type rel struct {
	alias  string
	unnest bool
}

// column is one output column of the select list.
type column struct {
	item *parser.SelectItem
	name string
}

func planQuery(sel *parser.Select, target *parser.Name) (*mql.Processor, []mql.Warning, error) {
	q := &query{sel: sel, target: target, rels: map[string]*rel{}, roots: map[string]bool{}}
	src, err := q.source()
	if err != nil {
		return nil, nil, err
	}
	q.pipeline = append(q.pipeline, src)
	q.collectRoots()
	for _, j := range sel.Joins {
		stages, err := q.join(j)
		if err != nil {
			return nil, nil, err
		}
		q.pipeline = append(q.pipeline, stages...)
	}
	if sel.Where != nil {
		t := q.rowTr("WHERE")
		m, err := t.matchQuery(sel.Where, false)
		if err != nil {
			return nil, nil, err
		}
		q.pipeline = append(q.pipeline, &mql.Match{Query: m})
	}
	if err := q.columns(); err != nil {
		return nil, nil, err
	}
	if q.grouped() {
		err = q.planGrouped()
	} else {
		err = q.planPlain()
	}
	if err != nil {
		return nil, nil, err
	}
	if target != nil {
		sink, err := q.sink()
		if err != nil {
			return nil, nil, err
		}
		q.pipeline = append(q.pipeline, sink)
	}
	// SQL rows are exactly the selected columns: no _stream_meta.
	none := ""
	proc := &mql.Processor{Pipeline: q.pipeline, Options: mql.Options{StreamMetaFieldName: &none}}
	return q.finish(proc)
}

// finish validates the processor and collects its lints. A $source option
// ASP refuses is the user's mistake; any other validation failure is a
// planner bug.
func (q *query) finish(proc *mql.Processor) (*mql.Processor, []mql.Warning, error) {
	if err := mql.Validate(proc); err != nil {
		if strings.Contains(err.Error(), "$source") && q.sel.From != nil {
			return nil, nil, errorf(q.sel.From, CodeInvalidParameter, "FROM %s: %v", strings.Join(q.sel.From.Name.Parts, "."), err)
		}
		return nil, nil, errorf(q.sel, CodeInternal, "internal error: the planner built an invalid pipeline: %v", err)
	}
	return proc, mql.Lint(proc), nil
}

// rowTr translates expressions over the stream document (with its joined
// fields), where aggregates and window functions are not allowed.
func (q *query) rowTr(clause string) *tr {
	return &tr{q: q, ref: q.rowRef, aggErr: clause, overErr: clause}
}

// rowRef resolves a column reference against the stream document: a.b is
// field b when a is the FROM alias, the joined document's field b when a
// is a JOIN alias, and otherwise the nested path a.b.
func (q *query) rowRef(id *parser.Ident) (val, error) {
	if _, ok := isWindowBound(id); ok {
		if q.sel.Window == nil {
			return val{}, errorf(id, CodeWindowing, "%s is only defined in a query with a WINDOW clause", strings.ToUpper(id.Parts[0]))
		}
		return val{}, errorf(id, CodeWindowing, "%s is defined once the window's rows are grouped: use it in the select list, HAVING or ORDER BY", strings.ToUpper(id.Parts[0]))
	}
	if len(id.Parts) == 1 && strings.EqualFold(id.Parts[0], "CURRENT_TIMESTAMP") {
		return exprVal(mql.NamedCall{Op: "$currentDate"}, tDate, true), nil
	}
	parts := id.Parts
	if len(parts) > 1 && parts[0] == q.streamAlias && q.rels[parts[0]] == nil {
		parts = parts[1:]
	}
	return fieldVal(parts), nil
}

// collectRoots records the stream fields the query reads, so that names
// the planner picks for computed fields don't overwrite them.
func (q *query) collectRoots() {
	add := func(e parser.Expr) {
		walk(e, func(e parser.Expr) bool {
			if id, ok := e.(*parser.Ident); ok {
				p := id.Parts
				if len(p) > 1 && p[0] == q.streamAlias {
					p = p[1:]
				}
				q.roots[p[0]] = true
			}
			if c, ok := e.(*parser.Call); ok && c.Over != nil {
				for _, x := range c.Over.PartitionBy {
					walk(x, func(e parser.Expr) bool {
						if id, ok := e.(*parser.Ident); ok {
							q.roots[id.Parts[len(id.Parts)-1]] = true
						}
						return true
					})
				}
			}
			return true
		})
	}
	for _, it := range q.sel.Items {
		add(it.Expr)
	}
	add(q.sel.Where)
	add(q.sel.Having)
	for _, g := range q.sel.GroupBy {
		add(g)
	}
	for _, o := range q.sel.OrderBy {
		add(o.Expr)
	}
}

// ---- source and sink ----

func (q *query) source() (mql.Stage, error) {
	f := q.sel.From
	if f == nil {
		// SELECT without FROM evaluates its list once, over one empty
		// document, as PostgreSQL returns one row.
		q.streamAlias = ""
		return &mql.Source{Kind: mql.DocumentsSource, Docs: bson.A{bson.D{}}}, nil
	}
	parts := f.Name.Parts
	q.streamAlias = parts[len(parts)-1]
	if f.Alias != "" {
		q.streamAlias = f.Alias
	}
	s := &mql.Source{ConnectionName: parts[0]}
	switch len(parts) {
	case 2:
		s.Kind, s.Topics = mql.KafkaSource, []string{parts[1]}
	case 3:
		// SQL reads the collection's documents, not change events.
		yes := true
		s.Kind, s.DB, s.Colls = mql.ChangeStreamSource, parts[1], []string{parts[2]}
		s.StreamConfig = &mql.ChangeStreamConfig{FullDocumentOnly: &yes}
	default:
		return nil, errorf(f.Name, CodeSyntax, "FROM %s: expected connection.topic (a Kafka topic) or connection.db.collection (a MongoDB collection)", strings.Join(parts, "."))
	}
	if f.TimestampBy != nil {
		v, err := q.rowTr("TIMESTAMP BY").x(f.TimestampBy)
		if err != nil {
			return nil, err
		}
		if c, ok := v.e.(mql.Call); ok && c.Op == "$toDate" {
			s.TimeField = v.e
		} else {
			s.TimeField = call("$toDate", v.e)
		}
	}
	for _, o := range f.With {
		if err := sourceOption(s, o); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// sourceOptionKeys are the WITH (…) keys of each kind of source, with
// snake_case spellings of ASP's camelCase names.
var (
	kafkaOptionKeys  = []string{"auto_offset_reset", "group_id", "enable_auto_commit", "keyFormat", "key_format", "keyFormatError", "key_format_error", "tsFieldName", "ts_field_name"}
	streamOptionKeys = []string{"fullDocument", "full_document", "fullDocumentOnly", "full_document_only", "fullDocumentBeforeChange", "full_document_before_change", "maxAwaitTimeMS", "max_await_time_ms", "fallback", "tsFieldName", "ts_field_name"}
)

func sourceOption(s *mql.Source, o *parser.Option) error {
	v, err := optionValue(o)
	if err != nil {
		return err
	}
	str, isStr := v.(string)
	b, isBool := v.(bool)
	n, isInt := v.(int64)
	want := func(ok bool, what string) error {
		if !ok {
			return errorf(o.Value, CodeInvalidParameter, "option %s: expected %s, found %s", o.Key, what, describeOption(v))
		}
		return nil
	}
	if o.Key == "tsFieldName" || o.Key == "ts_field_name" {
		s.TsFieldName = str
		return want(isStr, "a field name")
	}
	if s.Kind == mql.KafkaSource {
		if s.KafkaConfig == nil {
			s.KafkaConfig = &mql.KafkaSourceConfig{}
		}
		c := s.KafkaConfig
		switch o.Key {
		case "auto_offset_reset":
			c.AutoOffsetReset = str
			return want(isStr, "a string ('earliest' or 'latest')")
		case "group_id":
			c.GroupID = str
			return want(isStr, "a string")
		case "enable_auto_commit":
			c.EnableAutoCommit = &b
			return want(isBool, "true or false")
		case "keyFormat", "key_format":
			c.KeyFormat = str
			return want(isStr, "a string")
		case "keyFormatError", "key_format_error":
			c.KeyFormatError = str
			return want(isStr, "a string")
		}
		return unknownOption(o, "a Kafka source", kafkaOptionKeys)
	}
	c := s.StreamConfig
	switch o.Key {
	case "fullDocument", "full_document":
		c.FullDocument = str
		return want(isStr, "a string")
	case "fullDocumentOnly", "full_document_only":
		c.FullDocumentOnly = &b
		return want(isBool, "true or false")
	case "fullDocumentBeforeChange", "full_document_before_change":
		c.FullDocumentBeforeChange = str
		return want(isStr, "a string")
	case "maxAwaitTimeMS", "max_await_time_ms":
		c.MaxAwaitTimeMS = n
		return want(isInt, "an integer")
	case "fallback":
		c.Fallback = str
		return want(isStr, "a string ('poll' or 'none')")
	}
	return unknownOption(o, "a collection source", streamOptionKeys)
}

func unknownOption(o *parser.Option, what string, keys []string) error {
	best, bestD := "", 1<<30
	for _, k := range keys {
		if d := mql.EditDistance(strings.ToLower(o.Key), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	hint := ""
	if bestD <= 3 {
		hint = "; did you mean " + best + "?"
	}
	return errorf(o, CodeInvalidParameter, "unknown option %q for %s%s (options: %s)", o.Key, what, hint, strings.Join(keys, ", "))
}

func (q *query) sink() (mql.Stage, error) {
	parts := q.target.Parts
	switch len(parts) {
	case 2:
		return &mql.Emit{Kind: mql.KafkaEmit, ConnectionName: parts[0], Topic: mql.NameExpr{Name: parts[1]}}, nil
	case 3:
		return &mql.Merge{Into: mql.MergeTarget{ConnectionName: parts[0], DB: mql.NameExpr{Name: parts[1]}, Coll: mql.NameExpr{Name: parts[2]}}}, nil
	}
	return nil, errorf(q.target, CodeSyntax, "INSERT INTO %s: expected connection.topic (a Kafka topic) or connection.db.collection (a MongoDB collection)", strings.Join(parts, "."))
}

// ---- output columns ----

// columns names the output columns as PostgreSQL does: the alias, else
// the column's last name part, else the function's name, else ?column?.
func (q *query) columns() error {
	seen := map[string]bool{}
	for _, it := range q.sel.Items {
		if it.Star {
			q.cols = append(q.cols, column{item: it})
			continue
		}
		name := it.Alias
		if name == "" {
			name = exprName(it.Expr)
		}
		if !simpleName(name) {
			return errorf(it, CodeFeatureNotSupport, "column name %q can't be a document field (no dots, no leading $); give the column another alias", name)
		}
		if seen[name] {
			return errorf(it, CodeDuplicateColumn, "column %q is selected twice; output documents need distinct field names, so give one an alias", name)
		}
		seen[name] = true
		q.cols = append(q.cols, column{item: it, name: name})
	}
	return nil
}

func exprName(e parser.Expr) string {
	switch n := e.(type) {
	case *parser.Ident:
		return n.Parts[len(n.Parts)-1]
	case *parser.Call:
		return strings.ToLower(n.Name)
	case *parser.Cast:
		if n.Syntax != parser.CastLiteral {
			return exprName(n.X)
		}
	case *parser.Subscript:
		return exprName(n.X)
	case *parser.Case:
		return "case"
	}
	return "?column?"
}

func (q *query) hasStar() bool {
	for _, c := range q.cols {
		if c.item.Star {
			return true
		}
	}
	return false
}

// grouped reports whether the query aggregates: GROUP BY, HAVING,
// DISTINCT or an aggregate in the select list or ORDER BY.
func (q *query) grouped() bool {
	s := q.sel
	if len(s.GroupBy) > 0 || s.Having != nil || s.Distinct {
		return true
	}
	for _, it := range s.Items {
		if it.Expr != nil && findAgg(it.Expr) != nil {
			return true
		}
	}
	for _, o := range s.OrderBy {
		if findAgg(o.Expr) != nil {
			return true
		}
	}
	return false
}

// limit reads LIMIT n.
func (q *query) limit() (int64, bool, error) {
	l := q.sel.Limit
	if l == nil {
		return 0, false, nil
	}
	switch n := l.(type) {
	case *parser.Param:
		return 0, false, errorf(n, CodeUndefinedParameter, "there is no parameter $%d; parameters are bound by PostgreSQL clients over the wire (weir serve)", n.Index)
	case *parser.Literal:
		if v, err := n.Int(); err == nil && n.Kind == parser.LitInt {
			if v <= 0 {
				return 0, false, errorf(n, CodeInvalidParameter, "LIMIT %d passes no rows; use a positive LIMIT", v)
			}
			return v, true, nil
		}
	}
	return 0, false, errorf(l, CodeDatatypeMismatch, "LIMIT takes a positive integer")
}

// ---- queries without aggregation ----

func (q *query) planPlain() error {
	s := q.sel
	if s.Window != nil {
		return errorf(s.Window, CodeWindowing, "a WINDOW clause groups rows: add GROUP BY or an aggregate such as COUNT(*) to the select list")
	}
	if len(s.OrderBy) > 0 {
		return errorf(s.OrderBy[0], CodeFeatureNotSupport, "ORDER BY without a window: an endless stream can't be sorted; sort within windows (WINDOW TUMBLE(INTERVAL '1' MINUTE) with GROUP BY) or sort in the consumer")
	}
	ov := &overPlan{q: q, byKey: map[string]*mql.SetWindowFields{}, used: map[string]bool{}}
	t := q.rowTr("the select list")
	t.over, t.overErr = ov.over, ""
	type out struct {
		name string
		v    val
	}
	var outs []out
	for _, c := range q.cols {
		if c.item.Star {
			continue
		}
		ov.hint = ""
		if call, ok := c.item.Expr.(*parser.Call); ok && call.Over != nil {
			ov.hint = c.name
		}
		v, err := t.x(c.item.Expr)
		if err != nil {
			return err
		}
		outs = append(outs, out{c.name, v})
	}
	for _, st := range ov.stages {
		q.pipeline = append(q.pipeline, st)
	}
	if q.hasStar() {
		fields := make([]mql.Field, len(outs))
		for i, o := range outs {
			fields[i] = mql.Field{Name: o.name, Value: o.v.e}
		}
		stages, err := q.starStages(fields, ov.hidden)
		if err != nil {
			return err
		}
		q.pipeline = append(q.pipeline, stages...)
	} else {
		p := &mql.Project{}
		hasID := false
		for _, o := range outs {
			hasID = hasID || o.name == "_id"
			p.Fields = append(p.Fields, projectField(o.name, o.v))
		}
		if !hasID {
			p.Fields = append([]mql.ProjectField{{Path: "_id", Kind: mql.Exclude}}, p.Fields...)
		}
		q.pipeline = append(q.pipeline, p)
	}
	if n, ok, err := q.limit(); err != nil {
		return err
	} else if ok {
		q.pipeline = append(q.pipeline, &mql.Limit{N: n})
	}
	return nil
}

// projectField computes every column, even one that only keeps a field of
// the same name: $project puts included fields in the document's order and
// computed ones in the order written, and SQL's columns come in SELECT order.
func projectField(name string, v val) mql.ProjectField {
	return mql.ProjectField{Path: name, Kind: mql.Compute, Expr: v.e}
}

// starStages shapes rows for a select list with * or q.*: the whole stream
// document, plus computed columns.
func (q *query) starStages(extra []mql.Field, hidden []string) ([]mql.Stage, error) {
	simple, streamStar := true, false
	for _, c := range q.cols {
		if !c.item.Star {
			continue
		}
		qual := c.item.Qualifier
		switch {
		case len(qual) == 0:
		case len(qual) == 1 && qual[0] == q.streamAlias && q.rels[qual[0]] == nil:
			streamStar = true
		default:
			simple = false
		}
	}
	if simple {
		var out []mql.Stage
		if len(extra) > 0 {
			out = append(out, &mql.AddFields{Fields: extra})
		}
		drop := hidden
		if streamStar && !q.plainStar() {
			// o.* is the stream's own fields, without the joined ones.
			drop = append(append([]string{}, q.relOrder...), hidden...)
		}
		if len(drop) > 0 {
			out = append(out, &mql.Unset{Fields: drop})
		}
		return out, nil
	}
	var parts []mql.Expr
	for i, c := range q.cols {
		it := c.item
		if !it.Star {
			parts = append(parts, mql.Object{Fields: []mql.Field{extra[0]}})
			extra = extra[1:]
			continue
		}
		qual := it.Qualifier
		switch {
		case len(qual) == 0:
			parts = append(parts, mql.Variable{Name: "ROOT"})
		case qual[0] == q.streamAlias && q.rels[qual[0]] == nil:
			if len(qual) == 1 {
				var root mql.Expr = mql.Variable{Name: "ROOT"}
				for _, r := range q.relOrder {
					root = mql.NamedCall{Op: "$unsetField", Args: []mql.NamedArg{{Name: "field", Value: lit(r)}, {Name: "input", Value: root}}}
				}
				parts = append(parts, root)
			} else {
				parts = append(parts, fieldVal(qual[1:]).e)
			}
		case q.rels[qual[0]] != nil:
			parts = append(parts, fieldVal(qual).e)
		default:
			return nil, errorf(q.cols[i].item, CodeUndefinedTable, "missing FROM-clause entry for table %q", qual[0])
		}
	}
	return []mql.Stage{&mql.ReplaceRoot{NewRoot: call("$mergeObjects", parts...)}}, nil
}

func (q *query) plainStar() bool {
	for _, c := range q.cols {
		if c.item.Star && len(c.item.Qualifier) == 0 {
			return true
		}
	}
	return false
}
