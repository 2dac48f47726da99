package exec

import (
	"fmt"
	"math"
	"math/big"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The checkpoint state of the continuous aggregates (op_group.go,
// op_count.go, op_sort.go): every group with its accumulators' state, the
// running count, and a top-n's latest document per group with its last
// answer. With it in a checkpoint, their input positions are committed at
// the checkpoint like every other operator's (checkpoint.go), and a
// restart continues the aggregate instead of reading the input again.

var (
	_ stCheckpointer = (*Group)(nil)
	_ stCheckpointer = (*Count)(nil)
	_ stCheckpointer = (*TopN)(nil)
)

// stCkptVal wraps a value so any BSON value, Missing included, fits in a
// document field.
func stCkptVal(v any) bson.D {
	if IsMissing(v) {
		return bson.D{{Key: "missing", Value: true}}
	}
	return bson.D{{Key: "v", Value: v}}
}

func stCkptUnval(d bson.D) any {
	for _, e := range d {
		if e.Key == "v" {
			return e.Value
		}
	}
	return Missing
}

// Group: its groups, in key order.

type stCkptGroup struct {
	Groups []stCkptGroupEntry `bson:"groups"`
}

type stCkptGroupEntry struct {
	Key  bson.D    `bson:"key"`
	Accs []bson.D  `bson:"accs"`
	Last stCkptRow `bson:"last"`
}

func (g *Group) snapshot() ([]byte, error) {
	s := stCkptGroup{Groups: []stCkptGroupEntry{}}
	keys := make([]string, 0, len(g.groups))
	for ks := range g.groups {
		keys = append(keys, ks)
	}
	sort.Strings(keys)
	for _, ks := range keys {
		grp := g.groups[ks]
		e := stCkptGroupEntry{Key: stCkptVal(grp.key), Last: stEncRows([]StreamRow{grp.last})[0]}
		for j, acc := range grp.accs {
			d, err := stEncAcc(acc)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", g.stage.Fields[j].Name, err)
			}
			e.Accs = append(e.Accs, d)
		}
		s.Groups = append(s.Groups, e)
	}
	return bson.Marshal(s)
}

func (g *Group) restore(b []byte) error {
	var s stCkptGroup
	if err := bson.Unmarshal(b, &s); err != nil {
		return err
	}
	for _, e := range s.Groups {
		key := GroupKey(stCkptUnval(e.Key))
		last, err := stDecTime(e.Last.T)
		if err != nil {
			return fmt.Errorf("row time: %w", err)
		}
		grp := &stGroup{key: key, last: StreamRow{Time: last, Meta: e.Last.Meta, NoMeta: e.Last.NoMeta, src: stNoSrc}}
		if len(e.Accs) != len(g.aggs) {
			return fmt.Errorf("a group holds %d accumulators, the stage has %d", len(e.Accs), len(g.aggs))
		}
		lr := grp.last.ref()
		for j, a := range g.aggs {
			acc, err := a.New(key, lr.env())
			if err != nil {
				return fmt.Errorf("%s: %w", g.stage.Fields[j].Name, err)
			}
			if err := stDecAcc(acc, e.Accs[j]); err != nil {
				return fmt.Errorf("%s: %w", g.stage.Fields[j].Name, err)
			}
			grp.accs = append(grp.accs, acc)
		}
		ks := string(AppendKey(nil, key))
		doc := bson.D{{Key: "_id", Value: key}}
		for j, acc := range grp.accs {
			doc = append(doc, bson.E{Key: g.stage.Fields[j].Name, Value: acc.Result()})
		}
		grp.bytes = stDocSize(doc) + 64
		g.bytes += grp.bytes
		if err := g.rt.mem.grow(string(g.path), grp.bytes); err != nil {
			return err
		}
		g.groups[ks] = grp
	}
	return nil
}

// Count: the running count.

type stCkptCount struct {
	N int64 `bson:"n"`
}

func (c *Count) snapshot() ([]byte, error) { return bson.Marshal(stCkptCount{N: c.n}) }

func (c *Count) restore(b []byte) error {
	var s stCkptCount
	if err := bson.Unmarshal(b, &s); err != nil {
		return err
	}
	c.n = s.N
	return nil
}

// TopN: the latest row of every group, in order of first appearance (ties
// keep it), and which of them the last answer held, in its order.

type stCkptTopN struct {
	Rows []stCkptRow `bson:"rows"`
	Last []int32     `bson:"last"`
}

func (t *TopN) snapshot() ([]byte, error) {
	s := stCkptTopN{Rows: []stCkptRow{}, Last: []int32{}}
	rows := make([]StreamRow, len(t.all))
	for i, e := range t.all {
		rows[i] = e.row
	}
	s.Rows = stEncRows(rows)
	for _, e := range t.last {
		s.Last = append(s.Last, int32(e.first))
	}
	return bson.Marshal(s)
}

func (t *TopN) restore(b []byte) error {
	var s stCkptTopN
	if err := bson.Unmarshal(b, &s); err != nil {
		return err
	}
	rows, _, err := stDecRows(t.rt, string(t.path), s.Rows)
	if err != nil {
		return err
	}
	// stDecRows accounted the rows; the entries account them with their
	// keys below.
	for i := range rows {
		t.rt.mem.shrink(stRowSize(&rows[i]))
	}
	for i, rw := range rows {
		ks := string(AppendKey(nil, getPath(rw.Doc, "_id")))
		e := &stTopEntry{row: rw, first: i, bytes: int64(len(ks)) + stRowSize(&rows[i])}
		if err := t.rt.mem.grow(string(t.path), e.bytes); err != nil {
			return err
		}
		t.bytes += e.bytes
		t.byKey[ks] = e
		t.all = append(t.all, e)
	}
	for _, i := range s.Last {
		if int(i) < 0 || int(i) >= len(t.all) {
			return fmt.Errorf("the last answer names group %d of %d", i, len(t.all))
		}
		t.last = append(t.last, t.all[i])
	}
	return nil
}

// stEncAcc is an accumulator's state as a document; stDecAcc puts it
// into a fresh accumulator made by the same Agg.

func stEncAcc(acc Accumulator) (bson.D, error) {
	switch a := acc.(type) {
	case *sumAcc:
		return stEncSum(&a.s), nil
	case *countAcc:
		return bson.D{{Key: "n", Value: a.n}}, nil
	case *avgAcc:
		return append(stEncSum(&a.s), bson.E{Key: "n", Value: a.n}), nil
	case *minMaxAcc:
		return bson.D{{Key: "best", Value: stCkptVal(a.best)}, {Key: "seen", Value: a.seen}}, nil
	case *firstAcc:
		return bson.D{{Key: "v", Value: stCkptVal(a.v)}, {Key: "seen", Value: a.seen}}, nil
	case *lastAcc:
		return bson.D{{Key: "v", Value: stCkptVal(a.v)}}, nil
	case *pushAcc:
		return bson.D{{Key: "vals", Value: a.vals}}, nil
	case *setAcc:
		return bson.D{{Key: "vals", Value: a.set.items}}, nil
	case *stdDevAcc:
		return bson.D{{Key: "n", Value: a.n}, {Key: "mean", Value: a.mean}, {Key: "m", Value: a.m}}, nil
	case *mergeAcc:
		return bson.D{{Key: "doc", Value: a.doc}}, nil
	case *percentileAcc:
		return bson.D{{Key: "vals", Value: a.vals}}, nil
	case *rankAcc:
		items := bson.A{}
		for _, r := range a.items {
			items = append(items, bson.D{{Key: "keys", Value: bson.A(r.keys)}, {Key: "out", Value: stCkptVal(r.out)}})
		}
		return bson.D{{Key: "items", Value: items}}, nil
	case *firstNAcc:
		return bson.D{{Key: "vals", Value: a.vals}}, nil
	case *lastNAcc:
		return bson.D{{Key: "vals", Value: a.vals}}, nil
	case *extremeNAcc:
		return bson.D{{Key: "vals", Value: a.vals}}, nil
	}
	return nil, fmt.Errorf("the state of %T cannot be checkpointed", acc)
}

func stDecAcc(acc Accumulator, d bson.D) error {
	get := func(k string) any { return getPath(d, k) }
	arr := func(k string) bson.A {
		a, _ := get(k).(bson.A)
		if a == nil {
			a = bson.A{}
		}
		return a
	}
	i64 := func(k string) int64 { n, _ := toInt64(get(k)); return n }
	f64 := func(k string) float64 { return toFloat(get(k)) }
	val := func(k string) any { w, _ := get(k).(bson.D); return stCkptUnval(w) }
	seen := func() bool { b, _ := get("seen").(bool); return b }
	switch a := acc.(type) {
	case *sumAcc:
		return stDecSum(&a.s, d)
	case *countAcc:
		a.n = i64("n")
	case *avgAcc:
		a.n = i64("n")
		return stDecSum(&a.s, d)
	case *minMaxAcc:
		a.best, a.seen = val("best"), seen()
	case *firstAcc:
		a.v, a.seen = val("v"), seen()
	case *lastAcc:
		a.v = val("v")
	case *pushAcc:
		a.vals = arr("vals")
	case *setAcc:
		a.set = newValueSet()
		for _, v := range arr("vals") {
			a.set.add(v)
		}
	case *stdDevAcc:
		a.n, a.mean, a.m = i64("n"), f64("mean"), f64("m")
	case *mergeAcc:
		a.doc, _ = get("doc").(bson.D)
		if a.doc == nil {
			a.doc = bson.D{}
		}
	case *percentileAcc:
		a.vals = nil
		for _, v := range arr("vals") {
			a.vals = append(a.vals, toFloat(v))
		}
	case *rankAcc:
		a.items = nil
		for _, it := range arr("items") {
			itd, _ := it.(bson.D)
			keys, _ := getPath(itd, "keys").(bson.A)
			out, _ := getPath(itd, "out").(bson.D)
			if len(keys) != len(a.spec.dirs) {
				return fmt.Errorf("a ranked value has %d sort keys, the sortBy %d", len(keys), len(a.spec.dirs))
			}
			a.items = append(a.items, ranked{keys: []any(keys), out: stCkptUnval(out)})
		}
		if len(a.items) > a.n {
			return fmt.Errorf("%d values kept, n is %d", len(a.items), a.n)
		}
	case *firstNAcc:
		a.vals = arr("vals")
	case *lastNAcc:
		a.vals = arr("vals")
	case *extremeNAcc:
		a.vals = arr("vals")
	default:
		return fmt.Errorf("the state of %T cannot be restored", acc)
	}
	return nil
}

func stEncSum(s *sum) bson.D {
	d := bson.D{{Key: "kind", Value: int32(s.kind)}, {Key: "i", Value: s.i}, {Key: "overflow", Value: s.overflow},
		{Key: "f", Value: s.f}, {Key: "c", Value: s.c}}
	if s.dec != nil {
		b, _ := s.dec.GobEncode()
		d = append(d, bson.E{Key: "dec", Value: bson.Binary{Data: b}})
	}
	return d
}

func stDecSum(s *sum, d bson.D) error {
	k, _ := toInt64(getPath(d, "kind"))
	s.kind = numKind(k)
	s.i, _ = toInt64(getPath(d, "i"))
	s.overflow, _ = getPath(d, "overflow").(bool)
	s.f, s.c = toFloat(getPath(d, "f")), toFloat(getPath(d, "c"))
	// A sum never holds these (addFloat keeps c finite and zero once f
	// is not); result would panic on a non-finite f+c with decimals.
	if s.kind < notNumber || s.kind > kindDecimal || math.IsNaN(s.c) || math.IsInf(s.c, 0) {
		return fmt.Errorf("a sum's state is not one a sum can have (kind %d, compensation %v)", s.kind, s.c)
	}
	s.dec = nil
	if b, ok := getPath(d, "dec").(bson.Binary); ok {
		s.dec = new(big.Float)
		if err := s.dec.GobDecode(b.Data); err != nil {
			return fmt.Errorf("decimal sum: %w", err)
		}
		// A sum of decimals is kept to 200 bits, within Decimal128's
		// exponents; anything else (a damaged record) would make
		// result's rounding take practically forever.
		if exp := s.dec.MantExp(nil); s.dec.Prec() > 200 || s.dec.IsInf() || exp > 1<<15 || exp < -(1<<15) {
			return fmt.Errorf("decimal sum: precision %d, exponent %d: not a sum of decimals", s.dec.Prec(), exp)
		}
	}
	return nil
}
