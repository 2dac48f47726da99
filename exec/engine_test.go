package exec

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

func engTestProc(t *testing.T, name string) *mql.Processor {
	t.Helper()
	p, _, err := mql.Decode([]byte(`{"name": "` + name + `", "pipeline": [
		{"$source": {"connectionName": "f", "topic": "in"}},
		{"$match": {"n": {"$gt": 1}}},
		{"$emit": {"connectionName": "f", "topic": "out"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func engWait(t *testing.T, e *Engine, name string, want ProcessorState) ProcessorInfo {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, p := range e.Processors() {
			if p.Name == name && p.State == want {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("processor %s never became %s: %+v", name, want, e.Processors())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestEngineRestoresState: connections and processors survive a restart in
// the state they had, and a processor that was STARTED runs again.
func TestEngineRestoresState(t *testing.T) {
	state, data := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(data, "in.jsonl"), []byte("{\"n\": 1}\n{\"n\": 2}\n{\"n\": 3}\n"), 0o644)
	e, err := OpenEngine(EngineConfig{StateDir: state})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.CreateConnection("f", "file", map[string]any{"dir": data}); err != nil {
		t.Fatal(err)
	}
	if err := e.CreateProcessor(engTestProc(t, "p"), false); err != nil {
		t.Fatal(err)
	}
	if err := e.CreateProcessor(engTestProc(t, "p"), false); err == nil {
		t.Fatal("a second CREATE of p succeeded")
	}
	if err := e.CreateProcessor(engTestProc(t, "idle"), false); err != nil {
		t.Fatal(err)
	}
	if err := e.StartProcessor("p"); err != nil {
		t.Fatal(err)
	}
	info := engWait(t, e, "p", StateStopped)
	if info.In != 3 || info.Out != 2 || info.DLQ != 0 {
		t.Fatalf("counters: %+v", info)
	}
	e.Close()

	// A processor recorded as STARTED (the engine stopped while it ran)
	// is started again by the next engine.
	rec := filepath.Join(state, "processors", engFileName("p"))
	var r engProcRecord
	readJSON(t, rec, &r)
	r.State = StateStarted
	if err := engWriteJSON(rec, r); err != nil {
		t.Fatal(err)
	}
	e2, err := OpenEngine(EngineConfig{StateDir: state})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	if cs := e2.Connections(); len(cs) != 1 || cs[0].Name != "f" || cs[0].Type != "file" {
		t.Fatalf("connections after restart: %+v", cs)
	}
	engWait(t, e2, "idle", StateCreated)
	engWait(t, e2, "p", StateStopped)
	// It resumed from its checkpoint, past the input it had read: nothing
	// is emitted twice.
	lines, err := connectors.File{Dir: data}.ReadStream("out")
	if err != nil || len(lines) != 2 {
		t.Fatalf("out after two runs: %d lines, %v", len(lines), err)
	}
	ckpt := filepath.Join(state, "checkpoints", engFileName("p"))
	if gens, err := os.ReadDir(ckpt); err != nil || len(gens) != 1 {
		t.Fatalf("checkpoints of p: %v, %v", gens, err)
	}
	if err := e2.DropProcessor("p"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(rec); !os.IsNotExist(err) {
		t.Fatalf("dropped processor's file remains: %v", err)
	}
	if _, err := os.Stat(ckpt); !os.IsNotExist(err) {
		t.Fatalf("dropped processor's checkpoints remain: %v", err)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

// TestEngineStartFailsOnUnreachableBroker: START opens the processor's
// connectors, so a broker nobody listens on is START's error, within the
// connection's dial timeout, and the processor is FAILED with it.
func TestEngineStartFailsOnUnreachableBroker(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	e, err := OpenEngine(EngineConfig{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.CreateConnection("k", "kafka", map[string]any{"brokers": addr, "dial_timeout": "300ms"}); err != nil {
		t.Fatal(err)
	}
	p, _, err := mql.Decode([]byte(`{"name": "p", "pipeline": [
		{"$source": {"connectionName": "k", "topic": "in"}},
		{"$emit": {"connectionName": "k", "topic": "out"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.CreateProcessor(p, false); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = e.StartProcessor("p")
	if err == nil || !strings.Contains(err.Error(), addr) {
		t.Fatalf("START: %v; want an error naming %s", err, addr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("START took %s", d)
	}
	info := engWait(t, e, "p", StateFailed)
	if info.LastError == "" {
		t.Fatalf("FAILED without an error: %+v", info)
	}
}
