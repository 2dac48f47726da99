package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/weir-stream/weir/exec"
)

// progress draws one line of a running processor's counters on a terminal:
// documents in and out, the DLQ count and the watermark, redrawn in place.
// Without a terminal it draws nothing, so pipes and logs stay clean.
type progress struct {
	w    io.Writer
	mu   *sync.Mutex
	name string
	stat func() exec.Stats
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// run redraws the line every interval until ctx ends, then clears it and
// closes cleared.
func (p *progress) run(ctx context.Context, interval time.Duration, cleared chan<- struct{}) {
	defer close(cleared)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			p.mu.Lock()
			fmt.Fprint(p.w, "\r\033[K")
			p.mu.Unlock()
			return
		case <-t.C:
			p.mu.Lock()
			fmt.Fprint(p.w, "\r\033[K"+progressLine(p.name, p.stat()))
			p.mu.Unlock()
		}
	}
}

// progressLine is the text of the progress line.
func progressLine(name string, st exec.Stats) string {
	wm := "-"
	if !st.Watermark.IsZero() && st.Watermark.Year() < 9999 {
		wm = st.Watermark.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return fmt.Sprintf("%s: in %d  out %d  dlq %d  watermark %s", name, st.In, st.Out, st.DLQ, wm)
}
