package exec

import (
	"fmt"
	"sort"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// The operators' checkpoint state (checkpoint.go): BSON documents, rows as
// arrays of {doc, t, meta}. Restored rows stand for no source message
// (src stNoSrc): the checkpoint covers their positions.

var (
	_ stCheckpointer = (*TimeWindow)(nil)
	_ stCheckpointer = (*SessionWindow)(nil)
	_ stCheckpointer = (*SetWindowFieldsStage)(nil)
	_ stCheckpointer = (*Limit)(nil)
)

type stCkptRow struct {
	Doc    bson.D `bson:"doc"`
	T      []byte `bson:"t"`
	Meta   bson.D `bson:"meta,omitempty"`
	NoMeta bool   `bson:"nometa,omitempty"`
}

func stEncRows(rows []StreamRow) []stCkptRow {
	out := make([]stCkptRow, len(rows))
	for i, r := range rows {
		out[i] = stCkptRow{Doc: r.Doc, T: stEncTime(r.Time), Meta: r.Meta, NoMeta: r.NoMeta}
	}
	return out
}

// stDecRows decodes rows and accounts their bytes to the memory budget.
func stDecRows(rt *stRuntime, op string, in []stCkptRow) ([]StreamRow, int64, error) {
	out := make([]StreamRow, len(in))
	var bytes int64
	for i, r := range in {
		t, err := stDecTime(r.T)
		if err != nil {
			return nil, 0, fmt.Errorf("row time: %w", err)
		}
		doc := r.Doc
		if doc == nil {
			doc = bson.D{}
		}
		out[i] = StreamRow{Doc: doc, Time: t, Meta: r.Meta, NoMeta: r.NoMeta, src: stNoSrc}
		n := stRowSize(&out[i])
		bytes += n
		if err := rt.mem.grow(op, n); err != nil {
			return nil, 0, err
		}
	}
	return out, bytes, nil
}

// TimeWindow: the open windows by start, and the watermarks.

type stCkptTimeWindow struct {
	WM     []byte          `bson:"wm"`
	IdleTo []byte          `bson:"idleTo"`
	Wins   []stCkptTimeWin `bson:"wins"`
}

type stCkptTimeWin struct {
	Start int64       `bson:"start"`
	Rows  []stCkptRow `bson:"rows"`
}

func (w *TimeWindow) snapshot() ([]byte, error) {
	s := stCkptTimeWindow{WM: stEncTime(w.wm), IdleTo: stEncTime(w.idleTo), Wins: []stCkptTimeWin{}}
	starts := make([]int64, 0, len(w.open))
	for start := range w.open {
		starts = append(starts, start)
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i] < starts[j] })
	for _, start := range starts {
		s.Wins = append(s.Wins, stCkptTimeWin{Start: start, Rows: stEncRows(w.open[start].rows)})
	}
	return bson.Marshal(s)
}

func (w *TimeWindow) restore(b []byte) error {
	var s stCkptTimeWindow
	if err := bson.Unmarshal(b, &s); err != nil {
		return err
	}
	var err error
	if w.wm, err = stDecTime(s.WM); err != nil {
		return err
	}
	if w.idleTo, err = stDecTime(s.IdleTo); err != nil {
		return err
	}
	for _, cw := range s.Wins {
		rows, n, err := stDecRows(w.rt, string(w.path), cw.Rows)
		if err != nil {
			return err
		}
		w.open[cw.Start] = &stWin{rows: rows, bytes: n}
	}
	return nil
}

// SessionWindow: per partition key, the open sessions.

type stCkptSessions struct {
	WM    []byte           `bson:"wm"`
	Parts []stCkptSessPart `bson:"parts"`
}

type stCkptSessPart struct {
	// Key is the partitionBy value, wrapped so any BSON value fits.
	Key      bson.D          `bson:"key"`
	Sessions []stCkptSession `bson:"sessions"`
}

type stCkptSession struct {
	First []byte      `bson:"first"`
	Last  []byte      `bson:"last"`
	Rows  []stCkptRow `bson:"rows"`
}

func (w *SessionWindow) snapshot() ([]byte, error) {
	s := stCkptSessions{WM: stEncTime(w.wm), Parts: []stCkptSessPart{}}
	keys := make([]string, 0, len(w.parts))
	for ks := range w.parts {
		keys = append(keys, ks)
	}
	sort.Strings(keys)
	for _, ks := range keys {
		pt := w.parts[ks]
		cp := stCkptSessPart{Key: bson.D{{Key: "v", Value: pt.key}}}
		for _, ss := range pt.sessions {
			cp.Sessions = append(cp.Sessions, stCkptSession{First: stEncTime(ss.first), Last: stEncTime(ss.last), Rows: stEncRows(ss.rows)})
		}
		s.Parts = append(s.Parts, cp)
	}
	return bson.Marshal(s)
}

func (w *SessionWindow) restore(b []byte) error {
	var s stCkptSessions
	if err := bson.Unmarshal(b, &s); err != nil {
		return err
	}
	var err error
	if w.wm, err = stDecTime(s.WM); err != nil {
		return err
	}
	for _, cp := range s.Parts {
		var key any
		if len(cp.Key) == 1 {
			key = cp.Key[0].Value
		}
		pt := &stSessPart{key: key}
		for _, cs := range cp.Sessions {
			ss := &stSession{}
			if ss.first, err = stDecTime(cs.First); err != nil {
				return err
			}
			if ss.last, err = stDecTime(cs.Last); err != nil {
				return err
			}
			if ss.rows, ss.bytes, err = stDecRows(w.rt, string(w.path), cs.Rows); err != nil {
				return err
			}
			pt.sessions = append(pt.sessions, ss)
		}
		w.parts[string(AppendKey(nil, key))] = pt
	}
	return nil
}

// SetWindowFieldsStage: per partition, in order of first arrival, the
// history later documents' windows can still reach and the held rows not
// emitted yet (the last Pending), in sortBy order.

type stCkptSwf struct {
	Parts []stCkptSwfPart `bson:"parts"`
}

type stCkptSwfPart struct {
	Key     []byte      `bson:"key"`
	Rows    []stCkptRow `bson:"rows"`
	Pending int32       `bson:"pending,omitempty"`
}

func (o *SetWindowFieldsStage) snapshot() ([]byte, error) {
	s := stCkptSwf{Parts: []stCkptSwfPart{}}
	for _, ks := range o.order {
		pt := o.parts[ks]
		s.Parts = append(s.Parts, stCkptSwfPart{Key: []byte(ks), Rows: stEncRows(pt.rows), Pending: int32(pt.pending)})
	}
	return bson.Marshal(s)
}

func (o *SetWindowFieldsStage) restore(b []byte) error {
	var s stCkptSwf
	if err := bson.Unmarshal(b, &s); err != nil {
		return err
	}
	for _, cp := range s.Parts {
		rows, _, err := stDecRows(o.rt, string(o.path), cp.Rows)
		if err != nil {
			return err
		}
		if cp.Pending < 0 || int(cp.Pending) > len(rows) {
			return fmt.Errorf("a partition holds %d rows, %d of them pending", len(rows), cp.Pending)
		}
		pt := &stSwfPart{rows: rows, sizes: make([]int64, len(rows)), pending: int(cp.Pending)}
		for i := range rows {
			pt.sizes[i] = stRowSize(&rows[i])
		}
		if o.parts[string(cp.Key)] == nil {
			o.order = append(o.order, string(cp.Key))
		}
		o.parts[string(cp.Key)] = pt
	}
	return nil
}

// Limit: how many rows it passed.

type stCkptLimit struct {
	Seen int64 `bson:"seen"`
}

func (l *Limit) snapshot() ([]byte, error) { return bson.Marshal(stCkptLimit{Seen: l.seen}) }

func (l *Limit) restore(b []byte) error {
	var s stCkptLimit
	if err := bson.Unmarshal(b, &s); err != nil {
		return err
	}
	l.seen = s.Seen
	return nil
}
