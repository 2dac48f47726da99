package exec

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/weir-stream/weir/planner/mql"
)

// SessionWindow is $sessionWindow: per partitionBy value, rows whose event
// times lie within gap of each other form a session [first, last+gap); a
// row bridging two sessions merges them. A session closes when the
// watermark reaches last + gap + allowedLateness; its inner pipeline then
// runs over its rows (reference runner code, event-time order) and the
// results carry _stream_meta.window {start, end, partition}. A row no open
// session takes, whose own session would already be closed, is late and
// goes to the DLQ. A partitionBy that fails sends the row to the DLQ. Per
// row; not columnar.
type SessionWindow struct {
	rt       *stRuntime
	stage    *mql.SessionWindow
	path     mql.Path
	gap      time.Duration
	lateness time.Duration
	parts    map[string]*stSessPart
	wm       time.Time
	x        *run
}

type stSessPart struct {
	key      any
	sessions []*stSession
}

type stSession struct {
	first, last time.Time
	rows        []StreamRow
	bytes       int64
}

var (
	_ Operator = (*SessionWindow)(nil)
	_ stHolder = (*SessionWindow)(nil)
)

func newSessionWindow(rt *stRuntime, s *mql.SessionWindow, path mql.Path) (*SessionWindow, error) {
	if s.Boundary == "processingTime" {
		return nil, fmt.Errorf("processing-time windows are not implemented by the streaming engine yet")
	}
	return &SessionWindow{rt: rt, stage: s, path: path, gap: durationOf(s.Gap),
		lateness: stLateness(s.AllowedLateness), parts: map[string]*stSessPart{}, x: rt.newRef()}, nil
}

func (w *SessionWindow) Process(ctx context.Context, b *RowBatch, emit Emit) error {
	for i := range b.Rows {
		rw := &b.Rows[i]
		r := rw.ref()
		k, err := Eval(w.stage.PartitionBy, r.doc, r.env())
		if err != nil {
			w.rt.dlq(w.stage.Op(), rw.Doc, rw.Meta, "partitionBy: "+err.Error())
			continue
		}
		k = GroupKey(k)
		ks := string(AppendKey(nil, k))
		pt := w.parts[ks]
		if pt == nil {
			pt = &stSessPart{key: k}
			w.parts[ks] = pt
		}
		// Every open session within gap of the row takes it; several
		// merge into one.
		var into *stSession
		kept := pt.sessions[:0]
		for _, s := range pt.sessions {
			if rw.Time.Before(s.first.Add(-w.gap)) || rw.Time.After(s.last.Add(w.gap)) {
				kept = append(kept, s)
				continue
			}
			if into == nil {
				into = s
				kept = append(kept, s)
				continue
			}
			into.rows = append(into.rows, s.rows...)
			into.bytes += s.bytes
			if s.first.Before(into.first) {
				into.first = s.first
			}
			if s.last.After(into.last) {
				into.last = s.last
			}
		}
		pt.sessions = kept
		if into == nil {
			if !rw.Time.Add(w.gap + w.lateness).After(w.wm) {
				w.rt.dlq(w.stage.Op(), rw.Doc, rw.Meta, fmt.Sprintf(
					"late document: no session of its partition is open at %s, and a session starting there closed at watermark %s (gap %s, allowedLateness %s); the watermark is %s",
					stFmtTime(rw.Time), stFmtTime(rw.Time.Add(w.gap+w.lateness)), w.gap, w.lateness, stFmtTime(w.wm)))
				continue
			}
			into = &stSession{first: rw.Time, last: rw.Time}
			pt.sessions = append(pt.sessions, into)
		}
		if rw.Time.Before(into.first) {
			into.first = rw.Time
		}
		if rw.Time.After(into.last) {
			into.last = rw.Time
		}
		n := stRowSize(rw)
		into.rows = append(into.rows, *rw)
		into.bytes += n
		if err := w.rt.mem.grow(string(w.path), n); err != nil {
			return err
		}
	}
	return nil
}

func (w *SessionWindow) Watermark(ctx context.Context, t time.Time, emit Emit) error {
	if t.After(w.wm) {
		w.wm = t
	}
	type due struct {
		part *stSessPart
		s    *stSession
	}
	var closing []due
	for _, pt := range w.parts {
		kept := pt.sessions[:0]
		for _, s := range pt.sessions {
			if !s.last.Add(w.gap + w.lateness).After(w.wm) {
				closing = append(closing, due{pt, s})
			} else {
				kept = append(kept, s)
			}
		}
		pt.sessions = kept
	}
	sort.SliceStable(closing, func(i, j int) bool { return closing[i].s.first.Before(closing[j].s.first) })
	for _, d := range closing {
		if err := stRunWindow(ctx, w.rt, w.x, w.stage.Pipeline, d.s.rows, d.s.first, d.s.last.Add(w.gap), d.part.key, w.path, emit); err != nil {
			return err
		}
		w.rt.mem.shrink(d.s.bytes)
	}
	for ks, pt := range w.parts {
		if len(pt.sessions) == 0 {
			delete(w.parts, ks)
		}
	}
	return nil
}

func (w *SessionWindow) stHeld(min map[int]int64) {
	for _, pt := range w.parts {
		for _, s := range pt.sessions {
			stHeldRows(s.rows, min)
		}
	}
}

func (w *SessionWindow) Close() error {
	for _, pt := range w.parts {
		for _, s := range pt.sessions {
			w.rt.mem.shrink(s.bytes)
		}
	}
	w.parts = nil
	return nil
}
