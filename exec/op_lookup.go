package exec

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// LookupStage is $lookup in its three forms, fetching candidates once per
// batch, not per row:
//   - equality and concise (localField/foreignField, with or without a
//     pipeline): one Lookup.Find with the distinct local values of the
//     whole batch, then matches are paired with rows here by $lookup's
//     equality;
//   - let+pipeline without localField: on a target that runs pipelines (a
//     MongoDB collection: pipelineLookup), the whole pipeline runs on the
//     server, once per distinct set of let values in the batch, with the
//     values written into it in place of the $$variables; the answer is
//     shared by the batch's rows with those values. That is one aggregate
//     per distinct set, not one $in query for the batch: a batch whose
//     rows all differ sends one per row. On a target held in memory (a
//     file collection, a connectors lookup with All), the whole
//     collection, over which the pipeline runs here; Build refuses the
//     rest;
//   - collectionless (no from, the pipeline starts with $documents): the
//     documents computed per row.
//
// Where the pipeline runs here, it runs per row over its candidates with
// the let variables bound, by the reference runner's code, which can't
// run a $lookup nested in it: Build refuses one. Not columnar.
type LookupStage struct {
	rt     *stRuntime
	stage  *mql.Lookup
	path   mql.Path
	target connectors.Lookup
	// all reads the whole target (let+pipeline without localField).
	all func(context.Context) ([]bson.D, error)
	// agg runs the let+pipeline form on the target, whose pipeline,
	// encoded once, is aggPipeline.
	agg         func(context.Context, bson.A) ([]bson.D, error)
	aggPipeline bson.A
	x           *run
}

var _ Operator = (*LookupStage)(nil)

// allLookup is a Lookup that can return its whole collection.
type allLookup interface {
	All(ctx context.Context) ([]bson.D, error)
}

// pipelineLookup is a Lookup that runs a pipeline on its collection (a
// MongoDB collection: mongodb.Lookup.Aggregate).
type pipelineLookup interface {
	Aggregate(ctx context.Context, pipeline bson.A) ([]bson.D, error)
}

func newLookup(rt *stRuntime, env BuildEnv, resolve func(string) (string, error), s *mql.Lookup, path mql.Path) (*LookupStage, error) {
	o := &LookupStage{rt: rt, stage: s, path: path, x: rt.newRef()}
	if s.From == nil {
		if s.FromColl != "" {
			return nil, fmt.Errorf("%s: from %q (a collection name without a connection) is for a $lookup nested in another $lookup's pipeline", path, s.FromColl)
		}
		if len(s.Pipeline) == 0 {
			return nil, fmt.Errorf("%s: a $lookup without from needs a pipeline starting with $documents", path)
		}
		if _, ok := s.Pipeline[0].(*mql.Documents); !ok {
			return nil, fmt.Errorf("%s: a $lookup without from needs a pipeline starting with $documents", path)
		}
		if err := lookupNoNested(s.Pipeline, path.Key("pipeline"), "its $documents"); err != nil {
			return nil, err
		}
		return o, nil
	}
	conn, err := resolve(s.From.ConnectionName)
	if err != nil {
		return nil, err
	}
	ns := mql.Namespace{ConnectionName: conn, DB: s.From.DB, Coll: s.From.Coll}
	t := env.Lookups[ns]
	if t == nil {
		return nil, fmt.Errorf("connection %s has no lookup for %s.%s", conn, ns.DB, ns.Coll)
	}
	o.target = t
	if s.LocalField == "" {
		if a, ok := t.(pipelineLookup); ok {
			o.agg, o.aggPipeline = a.Aggregate, mql.EncodePipeline(s.Pipeline)
			return o, nil
		}
		a, ok := t.(allLookup)
		if !ok {
			return nil, fmt.Errorf("%s: a let+pipeline $lookup on %s.%s.%s has no equality part to query by, and its target can't run the pipeline, so every batch would read the whole collection; add localField and foreignField (the concise form: one find with $in per batch, the pipeline then runs on the matches) and keep let/pipeline for the rest", path, conn, ns.DB, ns.Coll)
		}
		o.all = a.All
		if err := lookupNoNested(s.Pipeline, path.Key("pipeline"), conn+" "+ns.DB+"."+ns.Coll+"'s documents"); err != nil {
			return nil, err
		}
		return o, nil
	}
	if err := lookupNoNested(s.Pipeline, path.Key("pipeline"), "the documents matched by localField/foreignField"); err != nil {
		return nil, err
	}
	return o, nil
}

// lookupNoNested refuses a $lookup nested in a pipeline weir runs itself
// over candidates: it would have no collection to read (the reference
// runner's answer would be empty arrays). Only a pipeline the server runs
// (a MongoDB let+pipeline $lookup without localField) may nest one.
func lookupNoNested(p mql.Pipeline, path mql.Path, over string) error {
	for i, st := range p {
		if _, ok := st.(*mql.Lookup); ok {
			return fmt.Errorf("%s.%s: a $lookup inside a $lookup's pipeline is not run here: weir runs this pipeline itself, over %s, and has no collection for the inner $lookup to read; "+
				"write the inner join as a $lookup stage after this one, or drop localField/foreignField so that a MongoDB server runs the whole pipeline (let+pipeline form)", path.Index(i), st.Op(), over)
		}
	}
	return nil
}

func (o *LookupStage) Process(ctx context.Context, b *RowBatch, emit Emit) error {
	if o.agg != nil {
		return o.processAgg(ctx, b, emit)
	}
	s := o.stage
	var foreign []bson.D
	var err error
	switch {
	case s.LocalField != "":
		foreign, err = o.target.Find(ctx, s.ForeignField, o.localValues(b))
	case o.all != nil:
		foreign, err = o.all(ctx)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", o.path, err)
	}
	out := &RowBatch{Rows: make([]StreamRow, 0, len(b.Rows))}
	for i := range b.Rows {
		rw := b.Rows[i].ref()
		var matched []bson.D
		if s.LocalField != "" {
			local := getPath(rw.doc, s.LocalField)
			matched = []bson.D{}
			for _, fd := range foreign {
				if lookupMatches(local, getPath(fd, s.ForeignField)) {
					matched = append(matched, fd)
				}
			}
		} else {
			matched = foreign
		}
		if s.Pipeline != nil {
			var ok bool
			var err error
			matched, ok, err = o.x.lookupPipeline(s, rw, matched, func(reason string) { o.rt.dlq(s.Op(), rw.doc, rw.meta, reason) })
			o.rt.drain(o.x)
			if err != nil {
				return fmt.Errorf("%s.pipeline: %w", o.path, err)
			}
			if !ok {
				continue
			}
		}
		arr := make(bson.A, len(matched))
		for j, d := range matched {
			arr[j] = d
		}
		rw.doc = setPath(cloneDoc(rw.doc), s.As, arr)
		out.Rows = append(out.Rows, stFromRef(rw, b.Rows[i].src))
	}
	return emit(ctx, out)
}

// localValues are the batch's distinct local values: an array's elements
// stand for themselves (and the array, which an array field may equal),
// missing for null, as $lookup's equality has it.
func (o *LookupStage) localValues(b *RowBatch) []any {
	var values []any
	seen := map[string]bool{}
	add := func(v any) {
		if IsMissing(v) {
			v = nil
		}
		k := string(AppendKey(nil, v))
		if !seen[k] {
			seen[k] = true
			values = append(values, v)
		}
	}
	for i := range b.Rows {
		v := getPath(b.Rows[i].Doc, o.stage.LocalField)
		if a, ok := v.(bson.A); ok {
			for _, el := range a {
				add(el)
			}
			continue
		}
		add(v)
	}
	return values
}

// lookupDocuments evaluates a collectionless $lookup's $documents with the
// let variables in scope: an array of documents.
func lookupDocuments(d *mql.Documents, vars map[string]any) ([]bson.D, error) {
	v, err := Eval(d.Docs, bson.D{}, &Env{Vars: vars})
	if err != nil {
		return nil, fmt.Errorf("$documents: %w", err)
	}
	a, ok := v.(bson.A)
	if !ok {
		return nil, fmt.Errorf("$documents must evaluate to an array of documents, found %s", TypeName(v))
	}
	docs := make([]bson.D, 0, len(a))
	for _, el := range a {
		doc, ok := el.(bson.D)
		if !ok {
			return nil, fmt.Errorf("$documents must evaluate to an array of documents, found an element of type %s", TypeName(el))
		}
		docs = append(docs, doc)
	}
	return docs, nil
}

func (o *LookupStage) Watermark(context.Context, time.Time, Emit) error { return nil }
func (o *LookupStage) Close() error                                     { return nil }

// processAgg is the let+pipeline form on a target that runs pipelines:
// the batch's rows are grouped by their let values, and each group's
// pipeline, with the values written in, runs once on the server; its
// output is the "as" array of every row of the group. A row whose let
// values fail to evaluate goes to the DLQ.
func (o *LookupStage) processAgg(ctx context.Context, b *RowBatch, emit Emit) error {
	s := o.stage
	type group struct {
		vars map[string]any
		docs bson.A
	}
	groups := map[string]*group{}
	var order []string
	keys := make([]string, len(b.Rows))
	for i := range b.Rows {
		rw := b.Rows[i].ref()
		vars := make(map[string]any, len(s.Let))
		var key []byte
		failed := false
		for _, l := range s.Let {
			v, err := Eval(l.Value, rw.doc, rw.env())
			if err != nil {
				o.rt.dlq(s.Op(), rw.doc, rw.meta, err.Error())
				failed = true
				break
			}
			vars[l.Name] = v
			key = lookupVarKey(key, v)
		}
		if failed {
			keys[i] = "\x00failed"
			continue
		}
		k := string(key)
		keys[i] = k
		if groups[k] == nil {
			groups[k] = &group{vars: vars}
			order = append(order, k)
		}
	}
	for _, k := range order {
		g := groups[k]
		docs, err := o.agg(ctx, lookupBindPipeline(o.aggPipeline, g.vars))
		if err != nil {
			return fmt.Errorf("%s: %w", o.path, err)
		}
		g.docs = make(bson.A, len(docs))
		for j, d := range docs {
			g.docs[j] = d
		}
	}
	out := &RowBatch{Rows: make([]StreamRow, 0, len(b.Rows))}
	for i := range b.Rows {
		g := groups[keys[i]]
		if g == nil {
			continue // its let values went to the DLQ
		}
		rw := b.Rows[i].ref()
		rw.doc = setPath(cloneDoc(rw.doc), s.As, slices.Clone(g.docs))
		out.Rows = append(out.Rows, stFromRef(rw, b.Rows[i].src))
	}
	return emit(ctx, out)
}

// lookupVarKey appends a let value to a group key: its BSON type and
// bytes, so values that differ in type (1 and 1.0) are apart, as the
// pipeline may tell them apart ($type).
func lookupVarKey(key []byte, v any) []byte {
	if IsMissing(v) {
		return append(key, 0xff)
	}
	t, b, err := bson.MarshalValue(v)
	if err != nil {
		return append(key, fmt.Sprintf("\xfe%v", v)...)
	}
	key = append(key, byte(t))
	key = binary.AppendUvarint(key, uint64(len(b)))
	return append(key, b...)
}

// lookupBindPipeline writes let values into an encoded pipeline in place
// of the $$variables that refer to them ("$$min", "$$c.price"): in
// expressions only (a $match's $expr, other stages' expressions; a string
// "$$x" in a query is a string), not under $literal, and not where an
// operator ($let, $map, $filter, $reduce, a nested $lookup's let) binds a
// variable of the same name; not in $unwind, $sort, $limit, $count or
// $unset, which take paths and names. A value is written bare where it
// reads back as the same constant, which servers without $literal
// (FerretDB v1) run too, else as {$literal: v} (see lookupConst); a
// missing value is $$REMOVE.
func lookupBindPipeline(p bson.A, vars map[string]any) bson.A {
	out := make(bson.A, len(p))
	for i, st := range p {
		out[i] = lookupBindStage(st, vars)
	}
	return out
}

func lookupBindStage(st any, vars map[string]any) any {
	d, ok := st.(bson.D)
	if !ok || len(d) != 1 || len(vars) == 0 {
		return st
	}
	name, body := d[0].Key, d[0].Value
	switch name {
	case "$match":
		body = lookupBindQuery(body, vars)
	case "$lookup":
		body = lookupBindNested(body, vars)
	case "$facet":
		if fd, ok := body.(bson.D); ok {
			nf := make(bson.D, len(fd))
			for i, e := range fd {
				nf[i] = e
				if a, ok := e.Value.(bson.A); ok {
					nf[i].Value = lookupBindPipeline(a, vars)
				}
			}
			body = nf
		}
	case "$project":
		body = lookupBindExpr(body, vars, bindProject)
	case "$set", "$addFields":
		body = lookupBindExpr(body, vars, bindFields)
	case "$unwind", "$sort", "$limit", "$count", "$unset":
		// Paths, names and numbers, not expressions: a "$$x" there is
		// no variable.
	default:
		body = lookupBindExpr(body, vars, bindExpr)
	}
	return bson.D{{Key: name, Value: body}}
}

// bindPlace is where a value written in place of a variable lands, which
// decides how it is written.
type bindPlace uint8

const (
	// bindExpr is an expression: a document there is an expression object,
	// which evaluates to itself.
	bindExpr bindPlace = iota
	// bindFields is a field of $set/$addFields (or a document nested in
	// one): a document there is a nested specification, merged into the
	// field's existing document rather than replacing it.
	bindFields
	// bindProject is a field of $project: a document there is a nested
	// projection, and a number or boolean includes or excludes the field.
	bindProject
	// bindOperand is an operator's whole operand: an array there is the
	// operator's list of arguments ({$size: [1, 2]} has two).
	bindOperand
)

// lookupBindQuery binds variables in a query's $expr parts.
func lookupBindQuery(q any, vars map[string]any) any {
	d, ok := q.(bson.D)
	if !ok {
		return q
	}
	out := make(bson.D, len(d))
	for i, e := range d {
		out[i] = e
		switch e.Key {
		case "$expr":
			out[i].Value = lookupBindExpr(e.Value, vars, bindExpr)
		case "$and", "$or", "$nor":
			if a, ok := e.Value.(bson.A); ok {
				na := make(bson.A, len(a))
				for j, el := range a {
					na[j] = lookupBindQuery(el, vars)
				}
				out[i].Value = na
			}
		}
	}
	return out
}

// lookupBindNested binds variables in a nested $lookup: in its let's
// values, and in its pipeline except for the names its let binds.
func lookupBindNested(body any, vars map[string]any) any {
	d, ok := body.(bson.D)
	if !ok {
		return body
	}
	inner := vars
	if let, ok := lookupField(d, "let").(bson.D); ok {
		inner = lookupWithout(vars, let)
	}
	out := make(bson.D, len(d))
	for i, e := range d {
		out[i] = e
		switch e.Key {
		case "let":
			out[i].Value = lookupBindExpr(e.Value, vars, bindExpr)
		case "pipeline":
			if a, ok := e.Value.(bson.A); ok {
				out[i].Value = lookupBindPipeline(a, inner)
			}
		}
	}
	return out
}

func lookupBindExpr(v any, vars map[string]any, place bindPlace) any {
	switch x := v.(type) {
	case string:
		rest, ok := strings.CutPrefix(x, "$$")
		if !ok {
			return x
		}
		name, path, _ := strings.Cut(rest, ".")
		val, bound := vars[name]
		if !bound {
			return x
		}
		if path != "" {
			val = exprPath(val, path)
		}
		return lookupConst(val, place)
	case bson.A:
		out := make(bson.A, len(x))
		for i, el := range x {
			out[i] = lookupBindExpr(el, vars, bindExpr)
		}
		return out
	case bson.D:
		if len(x) == 1 && strings.HasPrefix(x[0].Key, "$") {
			return lookupBindOp(x[0].Key, x[0].Value, vars)
		}
		if place == bindOperand {
			place = bindExpr // the operand is an object of named arguments
		}
		out := make(bson.D, len(x))
		for i, e := range x {
			out[i] = bson.E{Key: e.Key, Value: lookupBindExpr(e.Value, vars, place)}
		}
		return out
	}
	return v
}

// lookupBindOp binds variables in an operator's arguments, minding the
// operators that bind variables of their own.
func lookupBindOp(op string, arg any, vars map[string]any) any {
	wrap := func(v any) any { return bson.D{{Key: op, Value: v}} }
	args, isDoc := arg.(bson.D)
	switch {
	case op == "$literal":
		return wrap(arg)
	case isDoc && (op == "$map" || op == "$filter" || op == "$reduce" || op == "$let"):
		var bodyKeys []string
		var bound []string
		switch op {
		case "$map", "$filter":
			as, _ := lookupField(args, "as").(string)
			if as == "" {
				as = "this"
			}
			bound, bodyKeys = []string{as}, []string{"in", "cond"}
		case "$reduce":
			bound, bodyKeys = []string{"this", "value"}, []string{"in"}
		case "$let":
			if lv, ok := lookupField(args, "vars").(bson.D); ok {
				for _, e := range lv {
					bound = append(bound, e.Key)
				}
			}
			bodyKeys = []string{"in"}
		}
		inner := vars
		for _, n := range bound {
			if _, ok := inner[n]; ok {
				inner = lookupWithout(inner, bson.D{{Key: n}})
			}
		}
		out := make(bson.D, len(args))
		for i, e := range args {
			scope := vars
			if slices.Contains(bodyKeys, e.Key) {
				scope = inner
			}
			out[i] = bson.E{Key: e.Key, Value: lookupBindExpr(e.Value, scope, bindExpr)}
		}
		return wrap(out)
	}
	return wrap(lookupBindExpr(arg, vars, bindOperand))
}

func lookupField(d bson.D, key string) any {
	for _, e := range d {
		if e.Key == key {
			return e.Value
		}
	}
	return nil
}

// lookupWithout is vars less the names of d's fields.
func lookupWithout(vars map[string]any, d bson.D) map[string]any {
	out := make(map[string]any, len(vars))
	for k, v := range vars {
		out[k] = v
	}
	for _, e := range d {
		delete(out, e.Key)
	}
	return out
}

// lookupConst is a let value as a constant where place puts it: bare when
// it reads back as itself, else {$literal: v}; missing is $$REMOVE. A
// document in a field of $set, $addFields or $project, a number or
// boolean in one of $project, and an array as an operator's whole operand
// are $literal too.
func lookupConst(v any, place bindPlace) any {
	if IsMissing(v) {
		return "$$REMOVE"
	}
	switch v.(type) {
	case bson.D:
		if place == bindFields || place == bindProject {
			return bson.D{{Key: "$literal", Value: v}}
		}
	case bson.A:
		if place == bindOperand {
			return bson.D{{Key: "$literal", Value: v}}
		}
	case bool, int32, int64, float64, bson.Decimal128:
		if place == bindProject {
			return bson.D{{Key: "$literal", Value: v}}
		}
	}
	if lookupBare(v) {
		return v
	}
	return bson.D{{Key: "$literal", Value: v}}
}

// lookupBare says whether v, written as an expression, evaluates to
// itself: no string starting with $, no field name starting with $ or
// holding a dot.
func lookupBare(v any) bool {
	switch x := v.(type) {
	case string:
		return !strings.HasPrefix(x, "$")
	case bson.D:
		for _, e := range x {
			if strings.HasPrefix(e.Key, "$") || strings.Contains(e.Key, ".") || !lookupBare(e.Value) {
				return false
			}
		}
	case bson.A:
		for _, el := range x {
			if !lookupBare(el) {
				return false
			}
		}
	}
	return true
}
