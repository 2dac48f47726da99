package pgwire

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgproto3"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/planner/mql"
)

// rowSource yields a result's rows. beforeBlock is called when the next
// row is not ready yet, so the session flushes what it has sent: rows
// reach a client as soon as they exist, and a slow client's TCP window
// (not a server-side buffer) is what holds the query back.
type rowSource interface {
	next(beforeBlock func()) (row []any, ok bool, err error)
	close()
}

// sliceRows are rows computed up front (SHOW, catalog queries).
type sliceRows struct {
	rows [][]any
	i    int
}

func (s *sliceRows) next(func()) ([]any, bool, error) {
	if s.i >= len(s.rows) {
		return nil, false, nil
	}
	s.i++
	return s.rows[s.i-1], true, nil
}

func (s *sliceRows) close() {}

// queryRows runs an engine query in its own goroutine and hands its
// documents over a small channel: the only buffer between the engine and
// the socket, so memory per session stays bounded.
type queryRows struct {
	ch     chan bson.D
	ctx    context.Context
	cancel context.CancelCauseFunc
	done   chan struct{}
	err    error
	// paths are the columns' paths in the output documents; nil until the
	// first document decides them (SELECT *).
	paths  []string
	peeked bson.D
	hasPk  bool
	ended  bool
	// skipped counts the rows the query could not process (their dead
	// letters); warnings holds the notices not sent yet about them.
	mu       sync.Mutex
	skipped  int
	warnings []*pgproto3.NoticeResponse
}

// shownSkips is how many skipped rows get a notice of their own; the
// rest are counted in one notice at the end.
const shownSkips = 5

// deadLetter records a row the query could not process: a WARNING with
// the operator and the reason for the first few.
func (q *queryRows) deadLetter(letter bson.D) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.skipped++
	if q.skipped > shownSkips {
		return
	}
	op, _ := lookupPath(letter, "operatorName").(string)
	reason, _ := lookupPath(letter, "errInfo.reason").(string)
	q.warnings = append(q.warnings, notice("WARNING", codeDataException,
		fmt.Sprintf("a row could not be processed and was skipped: %s: %s", op, reason)))
}

// takeWarnings returns the notices to send now; ended adds the count of
// the skipped rows that got no notice of their own.
func (q *queryRows) takeWarnings(ended bool) []*pgproto3.NoticeResponse {
	q.mu.Lock()
	defer q.mu.Unlock()
	w := q.warnings
	q.warnings = nil
	if ended && q.skipped > shownSkips {
		w = append(w, notice("WARNING", codeDataException,
			fmt.Sprintf("%d rows in all could not be processed and were skipped (%d more than shown)", q.skipped, q.skipped-shownSkips)))
		q.skipped = shownSkips
	}
	return w
}

const queryBuffer = 64

func startQuery(parent context.Context, eng Engine, p *mql.Processor, paths []string) *queryRows {
	ctx, cancel := context.WithCancelCause(parent)
	q := &queryRows{ch: make(chan bson.D, queryBuffer), ctx: ctx, cancel: cancel, done: make(chan struct{}), paths: paths}
	go func() {
		defer close(q.done)
		defer close(q.ch)
		err := eng.QueryDeadLetters(ctx, p, func(d bson.D) error {
			select {
			case q.ch <- d:
				return nil
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		}, q.deadLetter)
		if ctx.Err() != nil {
			err = context.Cause(ctx)
		}
		q.err = err
	}()
	return q
}

// receive returns the next document, blocking (after beforeBlock) when
// none is ready.
func (q *queryRows) receive(beforeBlock func()) (bson.D, bool, error) {
	if q.hasPk {
		q.hasPk = false
		return q.peeked, true, nil
	}
	if q.ended {
		return nil, false, q.err
	}
	var d bson.D
	var ok bool
	select {
	case d, ok = <-q.ch:
	default:
		if beforeBlock != nil {
			beforeBlock()
		}
		d, ok = <-q.ch
	}
	if !ok {
		<-q.done
		q.ended = true
		if errors.Is(q.err, errStopped) {
			q.err = nil
		}
		return nil, false, q.err
	}
	return d, true, nil
}

// peek waits for the first document without consuming it: a SELECT *
// takes its columns from it.
func (q *queryRows) peek() (bson.D, bool, error) {
	if q.hasPk {
		return q.peeked, true, nil
	}
	d, ok, err := q.receive(nil)
	if ok {
		q.peeked, q.hasPk = d, true
	}
	return d, ok, err
}

// columns are the columns of a query whose select list did not name them:
// the first document's fields, as text (a field's type may change from one
// document to the next).
func (q *queryRows) columns() ([]column, error) {
	d, ok, err := q.peek()
	if err != nil {
		return nil, err
	}
	if !ok {
		q.paths = []string{}
		return nil, nil
	}
	cols := make([]column, 0, len(d))
	q.paths = make([]string, 0, len(d))
	for _, e := range d {
		cols = append(cols, column{name: e.Key, oid: dynamicType(e.Value)})
		q.paths = append(q.paths, e.Key)
	}
	return cols, nil
}

// dynamicType is text for scalars (their type may vary) and jsonb for
// documents and arrays.
func dynamicType(v any) uint32 {
	switch v.(type) {
	case bson.D, bson.A:
		return oidJSONB
	}
	return oidText
}

func (q *queryRows) next(beforeBlock func()) ([]any, bool, error) {
	d, ok, err := q.receive(beforeBlock)
	if !ok {
		return nil, false, err
	}
	row := make([]any, len(q.paths))
	for i, p := range q.paths {
		row[i] = lookupPath(d, p)
	}
	return row, true, nil
}

var errStopped = errors.New("query closed")

func (q *queryRows) close() {
	q.cancel(errStopped)
	<-q.done
}

// lookupPath reads a dotted path from a document; nil when missing.
func lookupPath(d bson.D, path string) any {
	var cur any = d
	for part := range strings.SplitSeq(path, ".") {
		doc, ok := cur.(bson.D)
		if !ok {
			return nil
		}
		cur = nil
		for _, e := range doc {
			if e.Key == part {
				cur = e.Value
				break
			}
		}
	}
	return cur
}

// planColumns derives a query's columns from its pipeline: the last
// $project (past stages that keep the row shape) names them in order.
// nil means the select list named none (SELECT *): the first row decides.
func planColumns(p *mql.Processor) ([]column, []string) {
	for i := len(p.Pipeline) - 1; i > 0; i-- {
		switch s := p.Pipeline[i].(type) {
		case *mql.Limit, *mql.Match, *mql.Sort:
			continue
		case *mql.Project:
			var cols []column
			var paths []string
			for _, f := range s.Fields {
				switch f.Kind {
				case mql.Include:
					cols = append(cols, column{name: lastPart(f.Path), oid: oidText})
				case mql.Compute:
					oid := exprType(f.Expr)
					if oid == oidUnknown {
						oid = oidText
					}
					cols = append(cols, column{name: lastPart(f.Path), oid: oid})
				default:
					continue
				}
				paths = append(paths, f.Path)
			}
			if len(cols) == 0 {
				return nil, nil
			}
			return cols, paths
		}
		return nil, nil
	}
	return nil, nil
}

func lastPart(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}
