package exec

import (
	"context"
	"fmt"
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
//   - let+pipeline without an equality part: the whole collection, which
//     only a target that holds it in memory (a file collection, a
//     connectors lookup with All) serves; Build refuses the rest;
//   - collectionless (no from, the pipeline starts with $documents): the
//     documents computed per row.
//
// The pipeline then runs per row over its candidates with the let
// variables bound, by the reference runner's code. Not columnar.
type LookupStage struct {
	rt     *stRuntime
	stage  *mql.Lookup
	path   mql.Path
	target connectors.Lookup
	// all reads the whole target (let+pipeline without localField).
	all func(context.Context) ([]bson.D, error)
	x   *run
}

var _ Operator = (*LookupStage)(nil)

// allLookup is a Lookup that can return its whole collection.
type allLookup interface {
	All(ctx context.Context) ([]bson.D, error)
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
		a, ok := t.(allLookup)
		if !ok {
			return nil, fmt.Errorf("%s: a let+pipeline $lookup on %s.%s.%s has no equality part to query by, so every batch would read the whole collection; add localField and foreignField (the concise form: one find with $in per batch, the pipeline then runs on the matches) and keep let/pipeline for the rest", path, conn, ns.DB, ns.Coll)
		}
		o.all = a.All
	}
	return o, nil
}

func (o *LookupStage) Process(ctx context.Context, b *RowBatch, emit Emit) error {
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
			vars := map[string]any{}
			for _, l := range s.Let {
				v, err := Eval(l.Value, rw.doc, rw.env())
				if err != nil {
					o.rt.dlq(s.Op(), rw.doc, rw.meta, err.Error())
					continue
				}
				vars[l.Name] = v
			}
			pipeline := s.Pipeline
			if d, ok := pipeline[0].(*mql.Documents); ok && s.From == nil {
				docs, err := lookupDocuments(d, vars)
				if err != nil {
					o.rt.dlq(s.Op(), rw.doc, rw.meta, err.Error())
					continue
				}
				matched, pipeline = docs, pipeline[1:]
			}
			sub := make([]row, len(matched))
			for j, d := range matched {
				sub[j] = row{doc: d, ts: rw.ts}
			}
			res, err := o.x.subPipeline(pipeline, sub, vars)
			o.rt.drain(o.x)
			if err != nil {
				return fmt.Errorf("%s.pipeline: %w", o.path, err)
			}
			matched = make([]bson.D, 0, len(res))
			for _, r := range res {
				matched = append(matched, r.doc)
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
