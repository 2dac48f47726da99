package exec

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/connectors/registry"
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

// TestEngineReplaceWaitsForTheOldRun: CREATE OR REPLACE of a running
// processor returns once the old run has ended, so the old run's last
// record (its pipeline, STOPPED) does not land over the new processor's
// and bring the old pipeline back at the next start; the new processor's
// run keeps one checkpoint generation, its own.
func TestEngineReplaceWaitsForTheOldRun(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "in", "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer cluster.Close()
	state := t.TempDir()
	open := func() *Engine {
		e, err := OpenEngine(EngineConfig{StateDir: state, Tick: 20 * time.Millisecond, FlushEvery: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	proc := func(gt int) *mql.Processor {
		p, _, err := mql.Decode(fmt.Appendf(nil, `{"name": "p", "pipeline": [
			{"$source": {"connectionName": "k", "topic": "in"}},
			{"$match": {"n": {"$gt": %d}}},
			{"$emit": {"connectionName": "k", "topic": "out"}}]}`, gt))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	e := open()
	if err := e.CreateConnection("k", "kafka", map[string]any{"brokers": cluster.ListenAddrs()[0]}); err != nil {
		t.Fatal(err)
	}
	if err := e.CreateProcessor(proc(1), false); err != nil {
		t.Fatal(err)
	}
	if err := e.StartProcessor("p"); err != nil {
		t.Fatal(err)
	}
	if err := e.CreateProcessor(proc(2), true); err != nil {
		t.Fatal(err)
	}
	e.Close()

	var r engProcRecord
	readJSON(t, filepath.Join(state, "processors", engFileName("p")), &r)
	want, err := mql.Encode(proc(2), true)
	if err != nil {
		t.Fatal(err)
	}
	var got, wantC bytes.Buffer
	json.Compact(&got, r.Pipeline)
	json.Compact(&wantC, want)
	if r.State != StateCreated || got.String() != wantC.String() {
		t.Fatalf("record after CREATE OR REPLACE: state %s, pipeline %s", r.State, r.Pipeline)
	}

	e = open()
	defer e.Close()
	if err := e.StartProcessor("p"); err != nil {
		t.Fatal(err)
	}
	if err := e.StopProcessor("p"); err != nil {
		t.Fatal(err)
	}
	gens, err := os.ReadDir(filepath.Join(state, "checkpoints", engFileName("p")))
	if err != nil || len(gens) != 1 || gens[0].Name() != strconv.FormatInt(r.Created.UnixNano(), 10) {
		t.Fatalf("checkpoint generations of p: %v, %v; want only %d", gens, err, r.Created.UnixNano())
	}
}

// TestEngineFileOnlyLooksInsideStages: a connection named by a stage
// inside another (a window's $lookup) counts, so a pipeline reading a
// mongodb connection there is not handed to the reference runner, which
// opens files only.
func TestEngineFileOnlyLooksInsideStages(t *testing.T) {
	reg := registry.New()
	f, err := registry.FromOptions("f", "file", map[string]any{"dir": t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	m, err := registry.FromOptions("m", "mongodb", map[string]any{"uri": "mongodb://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	reg.Add(f)
	reg.Add(m)
	p, _, err := mql.Decode([]byte(`{"name": "p", "pipeline": [
		{"$source": {"connectionName": "f", "topic": "in"}},
		{"$tumblingWindow": {"interval": {"size": 1, "unit": "second"}, "pipeline": [
			{"$lookup": {"from": {"connectionName": "m", "db": "d", "coll": "c"}, "localField": "k", "foreignField": "k", "as": "j"}}]}},
		{"$emit": {"connectionName": "f", "topic": "out"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if engFileOnly(p, reg) {
		t.Fatal("engFileOnly: true for a pipeline whose window looks up in a mongodb connection")
	}
	p.Pipeline[1] = &mql.Match{}
	if !engFileOnly(p, reg) {
		t.Fatal("engFileOnly: false for a pipeline over file connections only")
	}
}

// TestEngineRunRefusesABadCheckpoint: a file-only run whose checkpoint
// can't be restored fails with the checkpoint's error, rather than running
// on the reference runner, which would read the input again from its start
// and append its output a second time.
func TestEngineRunRefusesABadCheckpoint(t *testing.T) {
	data, ckpt := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(data, "in.jsonl"), []byte("{\"n\": 2}\n"), 0o644)
	os.WriteFile(filepath.Join(ckpt, stCkptFile), []byte("not a checkpoint"), 0o644)
	e, err := OpenEngine(EngineConfig{Files: map[string]connectors.File{"f": {Dir: data}}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	_, err = e.Run(context.Background(), engTestProc(t, "p"), RunOptions{CheckpointDir: ckpt})
	if err == nil || !strings.Contains(err.Error(), "corrupted checkpoint") {
		t.Fatalf("Run: %v, want the checkpoint's error", err)
	}
	if lines, _ := (connectors.File{Dir: data}).ReadStream("out"); len(lines) != 0 {
		t.Fatalf("the run wrote %d line(s) past a checkpoint it could not restore", len(lines))
	}
}
