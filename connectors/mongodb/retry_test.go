package mongodb

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/weir-stream/weir/connectors"
)

// TestRetriesStopWithContext: a stop during the wait between two tries
// ends the read or the write at once, not after the whole backoff.
func TestRetriesStopWithContext(t *testing.T) {
	fail := commandError(91, "ShutdownInProgress", "The server is in quiesce mode and will shut down")
	stopSoon := func() (context.Context, context.CancelFunc) {
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(50*time.Millisecond, cancel)
		return ctx, cancel
	}
	check := func(t *testing.T, what string, start time.Time, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: error %v, want context.Canceled", what, err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("%s: returned %s after the stop, want at once (the backoff is a minute)", what, took)
		}
	}

	ms := newMockServer(t, "mongo", fail, fail, fail)
	l := NewLookup(ms.client, "shop", "customers")
	l.backoff = time.Minute
	ctx, cancel := stopSoon()
	start := time.Now()
	_, err := l.Find(ctx, "_id", []any{1})
	cancel()
	check(t, "lookup", start, err)

	ms = newMockServer(t, "mongo", fail, fail, fail)
	s := NewDLQSink(ms.client, "ops", "dlq")
	s.backoff = time.Minute
	ctx, cancel = stopSoon()
	start = time.Now()
	_, err = s.Write(ctx, []connectors.Doc{{Doc: d("operatorName", "$merge")}})
	cancel()
	check(t, "dlq", start, err)
}
