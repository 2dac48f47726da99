package exec

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// LookupStage is $lookup with localField/foreignField (and an optional pipeline
// applied to each row's matches): one Lookup.Find per batch, with the
// distinct local values of the whole batch, then matches are paired with
// rows here by $lookup's equality. Per row after the query; not columnar.
type LookupStage struct {
	rt     *stRuntime
	stage  *mql.Lookup
	path   mql.Path
	target connectors.Lookup
	x      *run
}

var _ Operator = (*LookupStage)(nil)

func newLookup(rt *stRuntime, env BuildEnv, resolve func(string) (string, error), s *mql.Lookup, path mql.Path) (*LookupStage, error) {
	if s.From == nil || s.LocalField == "" {
		return nil, fmt.Errorf("the streaming engine runs $lookup with from, localField and foreignField only (a let-only or collectionless $lookup is not implemented yet)")
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
	return &LookupStage{rt: rt, stage: s, path: path, target: t, x: rt.newRef()}, nil
}

func (o *LookupStage) Process(ctx context.Context, b *RowBatch, emit Emit) error {
	s := o.stage
	// The batch's distinct local values: an array's elements stand for
	// themselves (and the array, which an array field may equal), missing
	// for null, as $lookup's equality has it.
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
		v := getPath(b.Rows[i].Doc, s.LocalField)
		if a, ok := v.(bson.A); ok {
			for _, el := range a {
				add(el)
			}
			continue
		}
		add(v)
	}
	foreign, err := o.target.Find(ctx, s.ForeignField, values)
	if err != nil {
		return fmt.Errorf("%s: %w", o.path, err)
	}
	out := &RowBatch{Rows: make([]StreamRow, 0, len(b.Rows))}
	for i := range b.Rows {
		rw := b.Rows[i].ref()
		local := getPath(rw.doc, s.LocalField)
		matched := []bson.D{}
		for _, fd := range foreign {
			if lookupMatches(local, getPath(fd, s.ForeignField)) {
				matched = append(matched, fd)
			}
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
			sub := make([]row, len(matched))
			for j, d := range matched {
				sub[j] = row{doc: d, ts: rw.ts}
			}
			res, err := o.x.subPipeline(s.Pipeline, sub, vars)
			o.rt.drain(o.x)
			if err != nil {
				return fmt.Errorf("%s.pipeline: %w", o.path, err)
			}
			matched = matched[:0]
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

func (o *LookupStage) Watermark(context.Context, time.Time, Emit) error { return nil }
func (o *LookupStage) Close() error                                     { return nil }
