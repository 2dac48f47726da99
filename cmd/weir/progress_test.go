package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/weir-stream/weir/exec"
)

func TestProgressLine(t *testing.T) {
	wm := time.Date(2026, 11, 23, 9, 5, 0, 0, time.UTC)
	got := progressLine("orders", exec.Stats{In: 120, Out: 7, DLQ: 1, Watermark: wm})
	if want := "orders: in 120  out 7  dlq 1  watermark 2026-11-23T09:05:00.000Z"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// Before any event time, and after a bounded source's watermark of +∞,
	// there is no watermark to show.
	if got := progressLine("q", exec.Stats{}); got != "q: in 0  out 0  dlq 0  watermark -" {
		t.Errorf("got %q", got)
	}
}

func TestProgressNeedsATerminal(t *testing.T) {
	if isTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is not a terminal")
	}
}
