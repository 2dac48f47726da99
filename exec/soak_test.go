package exec

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// TestSoak runs the whole runtime the way a deployment does, for as long
// as WEIR_SOAK says (`WEIR_SOAK=10m make soak`; `make soak` runs 2m; unset,
// the test is skipped, so `make test` stays fast): an in-process kfake
// broker, a producer writing order events (mostly increasing event times,
// some disorder, some lines that aren't JSON) into a 4-partition topic,
// and an engine with a state directory running three processors — a
// tumbling-window $group per customer, a $match + $project, a
// $setWindowFields sum per customer (over its last 100 orders; from
// "unbounded" with WEIR_SOAK_UNBOUNDED=1) — each to its own topic, with a
// file DLQ. Every
// soakRestartEvery the engine is closed and opened again on the same state
// directory, so checkpoints are restored and offsets committed and resumed
// many times. A consumer reads the outputs as they come and the consumed
// records are deleted from the broker (as retention would), so the heap
// measures the engine rather than kfake's log.
//
// At the end the producer stops, one last in-order event per customer is
// written, then one late-dated event per partition moves
// every watermark past the last real window, and the test waits for the
// outputs to hold what a user would check: every valid event reached the
// running-sum output, every qualifying one the filter's; the last emission
// of each (customer, window) equals the totals computed from the produced
// events, and no window is invented; each customer's largest running sum
// equals its total (with WEIR_SOAK_UNBOUNDED; else it is at most the
// total); each processor's DLQ holds every bad line (duplicates
// from at-least-once replay are allowed, missing ones are not); the heap
// in use after GC doesn't keep growing (the last quarter's average within
// 2× the first quarter's, and under soakHeapBound); and the goroutines go
// back to about their number before the engine opened, after each close.
func TestSoak(t *testing.T) {
	spec := os.Getenv("WEIR_SOAK")
	if spec == "" {
		t.Skip("set WEIR_SOAK to a duration (WEIR_SOAK=2m, or make soak) to run the soak test")
	}
	dur, err := time.ParseDuration(spec)
	if err != nil || dur <= 0 {
		t.Fatalf("WEIR_SOAK=%q: want a positive duration such as 2m", spec)
	}
	s := newSoak(t)
	s.unbounded = os.Getenv("WEIR_SOAK_UNBOUNDED") != ""
	s.run(dur)
}

const (
	soakRate         = 200 // events per second
	soakPartitions   = 4
	soakCustomers    = 10
	soakWindow       = 5 * time.Second
	soakLateness     = 3 * time.Second
	soakMaxDisorder  = 1500 * time.Millisecond // < soakLateness: nothing valid is late
	soakBigAmount    = 250
	soakRestartEvery = 25 * time.Second
	soakSampleEvery  = 5 * time.Second
	soakDrainWait    = 2 * time.Minute
	soakHeapBound    = 512 << 20
	soakGoroutines   = 10 // slack over the baseline after a close
	soakFlushCust    = "zz-flush"
)

// The processors, as a user would create them.
var soakProcessors = []struct{ name, json string }{
	{"window-totals", `{"name": "window-totals", "options": {"dlq": {"connectionName": "dlq", "db": "dlq", "coll": "window-totals"}}, "pipeline": [
		{"$source": {"connectionName": "k", "topic": "orders", "timeField": {"$toDate": "$orderTime"}, "config": {"auto_offset_reset": "earliest"}}},
		{"$tumblingWindow": {"interval": {"size": 5, "unit": "second"}, "allowedLateness": {"size": 3, "unit": "second"}, "pipeline": [
			{"$group": {"_id": "$customerId", "total": {"$sum": "$amount"}, "n": {"$sum": 1}}},
			{"$project": {"_id": 0, "customerId": "$_id", "windowStart": {"$meta": "stream.window.start"}, "total": 1, "n": 1}}]}},
		{"$emit": {"connectionName": "k", "topic": "window-totals"}}]}`},
	{"big-orders", `{"name": "big-orders", "options": {"dlq": {"connectionName": "dlq", "db": "dlq", "coll": "big-orders"}}, "pipeline": [
		{"$source": {"connectionName": "k", "topic": "orders", "config": {"auto_offset_reset": "earliest"}}},
		{"$match": {"amount": {"$gte": 250}}},
		{"$project": {"_id": 0, "orderId": 1, "customerId": 1, "amount": 1}},
		{"$emit": {"connectionName": "k", "topic": "big-orders"}}]}`},
	{"running-totals", `{"name": "running-totals", "options": {"dlq": {"connectionName": "dlq", "db": "dlq", "coll": "running-totals"}}, "pipeline": [
		{"$source": {"connectionName": "k", "topic": "orders", "timeField": {"$toDate": "$orderTime"}, "config": {"auto_offset_reset": "earliest"}}},
		{"$setWindowFields": {"partitionBy": "$customerId", "sortBy": {"orderTime": 1},
			"output": {"running": {"$sum": "$amount", "window": {"documents": [RUNNING_FROM, "current"]}}}}},
		{"$project": {"_id": 0, "orderId": 1, "customerId": 1, "running": 1}},
		{"$emit": {"connectionName": "k", "topic": "running-totals"}}]}`},
}

var soakOutputs = []string{"window-totals", "big-orders", "running-totals"}

type soakWinKey struct {
	cust  string
	start int64 // window start, Unix ms
}

type soakWinVal struct {
	total float64
	n     int64
}

type soak struct {
	t       *testing.T
	cluster *kfake.Cluster
	addr    string
	state   string
	dlqDir  string
	adm     *kadm.Client
	prodCl  *kgo.Client
	outCl   *kgo.Client

	mu sync.Mutex
	// What was produced.
	produced, bad int64
	valid         []bool // by orderId
	big           []bool
	wantWin       map[soakWinKey]soakWinVal
	wantCust      map[string]float64
	lastTime      time.Time
	// What was consumed from the outputs.
	gotWin       map[soakWinKey]soakWinVal
	winEmits     int64
	winConflicts int64
	sawRunning   []bool
	sawBig       []bool
	runEmits     int64
	bigEmits     int64
	smallInBig   int64
	maxRunning   map[string]float64
	consumedTo   map[string]map[int32]int64 // topic → partition → next offset
	parseErrs    int64

	unbounded bool

	heap       []uint64
	restarts   int
	goroutines []int
}

func newSoak(t *testing.T) *soak {
	c, err := kfake.NewCluster(kfake.NumBrokers(1),
		// Small segments, so that deleting consumed records frees them.
		kfake.BrokerConfigs(map[string]string{"log.segment.bytes": strconv.Itoa(64 << 10)}),
		kfake.SeedTopics(soakPartitions, "orders"),
		kfake.SeedTopics(1, soakOutputs...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	s := &soak{t: t, cluster: c, addr: c.ListenAddrs()[0], state: t.TempDir(), dlqDir: t.TempDir(),
		wantWin: map[soakWinKey]soakWinVal{}, wantCust: map[string]float64{},
		gotWin: map[soakWinKey]soakWinVal{}, maxRunning: map[string]float64{},
		consumedTo: map[string]map[int32]int64{}}
	s.prodCl, err = kgo.NewClient(kgo.SeedBrokers(s.addr), kgo.DefaultProduceTopic("orders"),
		kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.ProducerLinger(5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.prodCl.Close)
	s.outCl, err = kgo.NewClient(kgo.SeedBrokers(s.addr), kgo.ConsumeTopics(soakOutputs...),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.outCl.Close)
	s.adm = kadm.NewClient(s.prodCl)
	return s
}

func (s *soak) open() *Engine {
	s.t.Helper()
	e, err := OpenEngine(EngineConfig{StateDir: s.state, Files: map[string]connectors.File{"dlq": {Dir: s.dlqDir}}})
	if err != nil {
		s.t.Fatalf("OpenEngine: %v", err)
	}
	return e
}

func (s *soak) run(dur time.Duration) {
	t := s.t
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.consume(ctx) }()
	prodStart := time.Now()
	prodCtx, stopProducer := context.WithCancel(ctx)
	prodDone := make(chan struct{})
	go func() { defer close(prodDone); s.produce(prodCtx) }()
	defer func() { stopProducer(); <-prodDone; cancel(); wg.Wait() }()

	// The baseline is taken once the test's own clients have connected.
	time.Sleep(2 * time.Second)
	s.trim(ctx)
	runtime.GC()
	baseline := runtime.NumGoroutine()

	e := s.open()
	if err := e.CreateConnection("k", "kafka", map[string]any{"brokers": s.addr}); err != nil {
		t.Fatal(err)
	}
	// A running sum from "unbounded" keeps each customer's whole history
	// in memory and in every checkpoint (op_set_window_fields.go prune),
	// so its heap grows with the stream; WEIR_SOAK_UNBOUNDED=1 runs it,
	// and its exact check (each customer's largest sum is its total). By
	// default the sum is over each customer's last 100 orders.
	runningFrom := "-99"
	if s.unbounded {
		runningFrom = `"unbounded"`
	}
	for _, p := range soakProcessors {
		proc, _, err := mql.Decode([]byte(strings.Replace(p.json, "RUNNING_FROM", runningFrom, 1)))
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		if err := e.CreateProcessor(proc, false); err != nil {
			t.Fatal(err)
		}
		if err := e.StartProcessor(p.name); err != nil {
			t.Fatal(err)
		}
	}
	closeEngine := func() {
		e.Close()
		e = nil
		s.goroutines = append(s.goroutines, s.waitGoroutines(baseline))
	}
	defer func() {
		if e != nil {
			e.Close()
		}
	}()

	start := time.Now()
	lastRestart := start
	tick := time.NewTicker(soakSampleEvery)
	defer tick.Stop()
	for time.Since(start) < dur {
		<-tick.C
		s.sampleHeap()
		s.checkRunning(e)
		s.trim(ctx)
		if time.Since(lastRestart) > soakRestartEvery-soakSampleEvery/2 && dur-time.Since(start) > soakSampleEvery {
			closeEngine()
			e = s.open()
			s.restarts++
			lastRestart = time.Now()
			s.mu.Lock()
			t.Logf("%6.1fs: restart %d: %d events produced, heap %.1f MB, %d goroutines after close (baseline %d)",
				time.Since(start).Seconds(), s.restarts, s.produced, float64(s.heap[len(s.heap)-1])/(1<<20), s.goroutines[len(s.goroutines)-1], baseline)
			s.mu.Unlock()
		}
	}
	if path := os.Getenv("WEIR_SOAK_HEAPPROFILE"); path != "" {
		runtime.GC()
		if f, err := os.Create(path); err == nil {
			pprof.WriteHeapProfile(f)
			f.Close()
		}
	}
	stopProducer()
	<-prodDone
	produceSecs := time.Since(prodStart).Seconds()
	s.flushWatermarks()

	// Drain: wait until the outputs hold everything, or give up and
	// report what is missing.
	deadline := time.Now().Add(soakDrainWait)
	var problems []string
	for {
		s.checkRunning(e)
		problems = s.check(false)
		if len(problems) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	drainSecs := time.Since(prodStart).Seconds() - produceSecs
	infos := e.Processors()
	closeEngine()
	if len(problems) == 0 {
		problems = s.check(true) // the DLQ files' counts, and duplicates, after the last close
	}

	s.mu.Lock()
	heapMB := make([]string, len(s.heap))
	for i, h := range s.heap {
		heapMB[i] = fmt.Sprintf("%.1f", float64(h)/(1<<20))
	}
	t.Logf("soak %s: %d events (%d bad) in %.0fs, %.0f events/s; %d restarts; drained in %.1fs", dur, s.produced, s.bad, produceSecs, float64(s.produced)/produceSecs, s.restarts, drainSecs)
	t.Logf("outputs: %d window emissions for %d windows (%d conflicting re-emissions), %d running-sum rows for %d valid events, %d big-order rows",
		s.winEmits, len(s.gotWin), s.winConflicts, s.runEmits, s.countValid(), s.bigEmits)
	for _, in := range infos {
		t.Logf("processor %s: %s, in %d, out %d, dlq %d (counters of the last run)", in.Name, in.State, in.In, in.Out, in.DLQ)
	}
	t.Logf("heap in use after GC (MB), every %s: %s", soakSampleEvery, strings.Join(heapMB, " "))
	t.Logf("goroutines: baseline %d, after each close %v", baseline, s.goroutines)
	t.Logf("checkpoints under the state directory: %.1f MB", float64(soakDirSize(filepath.Join(s.state, "checkpoints")))/(1<<20))
	heap := append([]uint64(nil), s.heap...)
	goroutines := append([]int(nil), s.goroutines...)
	s.mu.Unlock()

	for _, p := range problems {
		t.Error(p)
	}
	if q := len(heap) / 4; q >= 1 {
		first, last := soakAvg(heap[:q]), soakAvg(heap[len(heap)-q:])
		if last > 2*first {
			t.Errorf("heap keeps growing: the last quarter's average %.1f MB is more than twice the first quarter's %.1f MB", last/(1<<20), first/(1<<20))
		}
	}
	for i, h := range heap {
		if h > soakHeapBound {
			t.Errorf("heap sample %d: %.1f MB in use, over the %d MB bound", i, float64(h)/(1<<20), soakHeapBound>>20)
		}
	}
	for i, g := range goroutines {
		if g > baseline+soakGoroutines {
			t.Errorf("after close %d: %d goroutines, baseline %d: the engine leaves goroutines behind", i+1, g, baseline)
		}
	}
}

func soakAvg(xs []uint64) float64 {
	var sum float64
	for _, x := range xs {
		sum += float64(x)
	}
	return sum / float64(len(xs))
}

func (s *soak) sampleHeap() {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s.mu.Lock()
	s.heap = append(s.heap, m.HeapInuse)
	s.mu.Unlock()
}

// waitGoroutines waits up to 10s for the goroutines to come back to about
// baseline, and returns their number.
func (s *soak) waitGoroutines(baseline int) int {
	deadline := time.Now().Add(10 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= baseline+soakGoroutines {
			return n
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			s.t.Logf("%d goroutines after the engine closed, baseline %d:\n%s", n, baseline, buf)
			return n
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *soak) checkRunning(e *Engine) {
	for _, in := range e.Processors() {
		if in.State == StateFailed {
			s.t.Fatalf("processor %s FAILED: %s", in.Name, in.LastError)
		}
	}
}

// produce writes soakRate events a second until ctx ends: about 1% are
// not JSON, about 5% are dated up to soakMaxDisorder before the newest.
func (s *soak) produce(ctx context.Context) {
	rng := rand.New(rand.NewPCG(1, 2))
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	per := soakRate / 100
	id := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		recs := make([]*kgo.Record, 0, per)
		type pending struct {
			id        int
			valid     bool
			cust      string
			amount    float64
			orderTime time.Time
		}
		pend := make([]pending, 0, per)
		for range per {
			id++
			c := rng.IntN(soakCustomers)
			cust := fmt.Sprintf("c%02d", c)
			part := int32(c % soakPartitions)
			if rng.IntN(100) == 0 {
				line := fmt.Sprintf(`{"orderId": %d, "customerId": "%s", "amount": bad-%06d`, id, cust, id)
				if rng.IntN(2) == 0 {
					line = fmt.Sprintf("bad-%06d is not JSON", id)
				}
				recs = append(recs, &kgo.Record{Partition: part, Value: []byte(line)})
				pend = append(pend, pending{id: id})
				continue
			}
			ot := time.Now().UTC().Truncate(time.Millisecond)
			if rng.IntN(20) == 0 {
				ot = ot.Add(-time.Duration(rng.Int64N(int64(soakMaxDisorder))))
			}
			amount := float64(1+rng.IntN(500)) + 0.25*float64(rng.IntN(4))
			recs = append(recs, &kgo.Record{Partition: part, Value: soakEvent(id, cust, amount, ot)})
			pend = append(pend, pending{id: id, valid: true, cust: cust, amount: amount, orderTime: ot})
		}
		res := s.prodCl.ProduceSync(ctx, recs...)
		s.mu.Lock()
		for i, r := range res {
			if r.Err != nil {
				continue // not produced (the test is ending): not expected either
			}
			p := pend[i]
			s.produced++
			s.grow(p.id)
			if !p.valid {
				s.bad++
				continue
			}
			s.record(p.id, p.cust, p.amount, p.orderTime)
		}
		s.mu.Unlock()
	}
}

func soakEvent(id int, cust string, amount float64, ot time.Time) []byte {
	return fmt.Appendf(nil, `{"orderId": %d, "customerId": "%s", "amount": %s, "orderTime": {"$date": "%s"}}`,
		id, cust, strconv.FormatFloat(amount, 'f', -1, 64), ot.Format("2006-01-02T15:04:05.000Z"))
}

// grow makes the per-orderId slices hold id; s.mu is held.
func (s *soak) grow(id int) {
	for len(s.valid) <= id {
		s.valid = append(s.valid, false)
		s.big = append(s.big, false)
		s.sawRunning = append(s.sawRunning, false)
		s.sawBig = append(s.sawBig, false)
	}
}

// record adds a valid event to what the outputs must show; s.mu is held.
func (s *soak) record(id int, cust string, amount float64, ot time.Time) {
	s.valid[id] = true
	s.big[id] = amount >= soakBigAmount
	if cust != soakFlushCust {
		ms := ot.UnixMilli()
		k := soakWinKey{cust, ms - ms%soakWindow.Milliseconds()}
		v := s.wantWin[k]
		v.total += amount
		v.n++
		s.wantWin[k] = v
		s.wantCust[cust] += amount
	}
	if ot.After(s.lastTime) {
		s.lastTime = ot
	}
}

// flushWatermarks writes one event per partition a minute past the newest,
// so every partition's watermark passes every real window's end plus its
// allowed lateness. They are valid events of their own customer, whose
// window never closes.
func (s *soak) flushWatermarks() {
	s.mu.Lock()
	last := s.lastTime
	id := len(s.valid)
	s.mu.Unlock()
	// First one in-order event per customer, so the running sum of its
	// last document covers every event (an out-of-order last event's sum
	// doesn't cover the ones sorting after it).
	ot := last.Add(30 * time.Second).Truncate(time.Millisecond)
	for c := range soakCustomers {
		cust := fmt.Sprintf("c%02d", c)
		r := &kgo.Record{Partition: int32(c % soakPartitions), Value: soakEvent(id, cust, 1, ot)}
		if err := s.prodCl.ProduceSync(context.Background(), r).FirstErr(); err != nil {
			s.t.Fatalf("producing the last events: %v", err)
		}
		s.mu.Lock()
		s.produced++
		s.grow(id)
		s.record(id, cust, 1, ot)
		s.mu.Unlock()
		id++
	}
	ot = last.Add(time.Minute).Truncate(time.Millisecond)
	for p := range int32(soakPartitions) {
		r := &kgo.Record{Partition: p, Value: soakEvent(id, soakFlushCust, 1, ot)}
		if err := s.prodCl.ProduceSync(context.Background(), r).FirstErr(); err != nil {
			s.t.Fatalf("producing the watermark event: %v", err)
		}
		s.mu.Lock()
		s.produced++
		s.grow(id)
		s.record(id, soakFlushCust, 1, ot)
		s.mu.Unlock()
		id++
	}
}

// consume reads the output topics as they are written.
func (s *soak) consume(ctx context.Context) {
	for {
		fs := s.outCl.PollFetches(ctx)
		if ctx.Err() != nil {
			return
		}
		s.mu.Lock()
		fs.EachRecord(func(r *kgo.Record) {
			s.consumeRecord(r)
			m := s.consumedTo[r.Topic]
			if m == nil {
				m = map[int32]int64{}
				s.consumedTo[r.Topic] = m
			}
			m[r.Partition] = r.Offset + 1
		})
		s.mu.Unlock()
	}
}

// consumeRecord folds one output record into what was seen; s.mu is held.
func (s *soak) consumeRecord(r *kgo.Record) {
	var m bson.M
	if err := bson.UnmarshalExtJSON(r.Value, false, &m); err != nil {
		s.parseErrs++
		s.t.Logf("%s: unreadable output %q: %v", r.Topic, r.Value, err)
		return
	}
	cust, _ := m["customerId"].(string)
	switch r.Topic {
	case "window-totals":
		s.winEmits++
		ws, ok := m["windowStart"].(bson.DateTime)
		if !ok {
			s.parseErrs++
			s.t.Logf("window-totals: no windowStart date in %s", r.Value)
			return
		}
		k := soakWinKey{cust, int64(ws)}
		v := soakWinVal{total: soakNum(m["total"]), n: int64(soakNum(m["n"]))}
		if old, ok := s.gotWin[k]; ok && old != v {
			s.winConflicts++
			s.t.Logf("window %s %s emitted again with other totals: %+v then %+v", cust, ws.Time().UTC().Format(time.RFC3339), old, v)
		}
		s.gotWin[k] = v
	case "big-orders", "running-totals":
		id := int(soakNum(m["orderId"]))
		s.grow(id)
		if r.Topic == "big-orders" {
			s.bigEmits++
			s.sawBig[id] = true
			if soakNum(m["amount"]) < soakBigAmount {
				s.smallInBig++
			}
			return
		}
		s.runEmits++
		s.sawRunning[id] = true
		if v := soakNum(m["running"]); v > s.maxRunning[cust] {
			s.maxRunning[cust] = v
		}
	}
}

func soakNum(v any) float64 {
	switch n := v.(type) {
	case int32:
		return float64(n)
	case int64:
		return float64(n)
	case float64:
		return n
	}
	return -1
}

// trim deletes what every reader is done with, as retention would: the
// input below each partition's least committed offset of the three groups,
// the outputs below what the test consumed.
func (s *soak) trim(ctx context.Context) {
	to := kadm.Offsets{}
	least := map[int32]int64{}
	for _, p := range soakProcessors {
		offs, err := s.adm.FetchOffsets(ctx, "weir-"+p.name)
		if err != nil {
			return
		}
		for part := range int32(soakPartitions) {
			o, ok := offs.Lookup("orders", part)
			at := int64(0)
			if ok && o.Err == nil {
				at = o.At
			}
			if cur, seen := least[part]; !seen || at < cur {
				least[part] = at
			}
		}
	}
	for part, at := range least {
		if at > 0 {
			to.AddOffset("orders", part, at, -1)
		}
	}
	s.mu.Lock()
	for topic, parts := range s.consumedTo {
		for part, at := range parts {
			to.AddOffset(topic, part, at, -1)
		}
	}
	s.mu.Unlock()
	if len(to) > 0 {
		res, err := s.adm.DeleteRecords(ctx, to)
		if err != nil {
			s.t.Logf("deleting consumed records: %v", err)
		}
		res.Each(func(r kadm.DeleteRecordsResponse) {
			if r.Err != nil {
				s.t.Logf("deleting consumed records of %s/%d: %v", r.Topic, r.Partition, r.Err)
			}
			if os.Getenv("WEIR_SOAK_DEBUG") != "" {
				s.t.Logf("trim %s/%d to %d", r.Topic, r.Partition, r.LowWatermark)
			}
		})
	}
}

func (s *soak) countValid() int {
	n := 0
	for _, v := range s.valid {
		if v {
			n++
		}
	}
	return n
}

var soakBadRE = regexp.MustCompile(`bad-(\d{6})`)

// check lists what the outputs lack; final also counts the DLQ files.
func (s *soak) check(final bool) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	var missRun, missBig, extraBig []int
	for id, v := range s.valid {
		if v && !s.sawRunning[id] {
			missRun = append(missRun, id)
		}
		if v && s.big[id] && !s.sawBig[id] {
			missBig = append(missBig, id)
		}
		if s.sawBig[id] && !(v && s.big[id]) {
			extraBig = append(extraBig, id)
		}
	}
	if len(missRun) > 0 {
		add("running-totals: %d valid events never emitted, first orderIds %v", len(missRun), soakFirst(missRun))
	}
	if len(missBig) > 0 {
		add("big-orders: %d events with amount >= %d never emitted, first orderIds %v", len(missBig), soakBigAmount, soakFirst(missBig))
	}
	if len(extraBig) > 0 || s.smallInBig > 0 {
		add("big-orders: %d emitted orderIds that weren't big valid events (%v), %d rows under %d", len(extraBig), soakFirst(extraBig), s.smallInBig, soakBigAmount)
	}
	var wrong []string
	for k, want := range s.wantWin {
		if got, ok := s.gotWin[k]; !ok {
			wrong = append(wrong, fmt.Sprintf("%s@%s missing (want %+v)", k.cust, time.UnixMilli(k.start).UTC().Format("15:04:05"), want))
		} else if got != want {
			wrong = append(wrong, fmt.Sprintf("%s@%s got %+v want %+v", k.cust, time.UnixMilli(k.start).UTC().Format("15:04:05"), got, want))
		}
	}
	for k, got := range s.gotWin {
		if _, ok := s.wantWin[k]; !ok {
			wrong = append(wrong, fmt.Sprintf("%s@%s emitted but no such window was produced (%+v)", k.cust, time.UnixMilli(k.start).UTC().Format("15:04:05"), got))
		}
	}
	if len(wrong) > 0 {
		sort.Strings(wrong)
		add("window-totals: %d of %d windows wrong: %s", len(wrong), len(s.wantWin), strings.Join(wrong[:min(len(wrong), 10)], "; "))
	}
	for cust, want := range s.wantCust {
		if !s.unbounded {
			if got := s.maxRunning[cust]; got <= 0 || got > want {
				add("running-totals: customer %s's largest sum of 100 orders is %v, all its events total %v", cust, got, want)
			}
			continue
		}
		if got := s.maxRunning[cust]; got != want {
			add("running-totals: customer %s's largest running sum is %v, its events total %v", cust, got, want)
		}
	}
	if s.parseErrs > 0 {
		add("%d output records unreadable", s.parseErrs)
	}
	if !final {
		return out
	}
	for _, p := range soakProcessors {
		path := filepath.Join(s.dlqDir, "dlq", p.name+".jsonl")
		seen := map[string]int{}
		lines := 0
		var other []string
		otherN := 0
		if f, err := os.Open(path); err == nil {
			sc := bufio.NewScanner(f)
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				lines++
				if m := soakBadRE.FindStringSubmatch(sc.Text()); m != nil {
					seen[m[1]]++
				} else if otherN++; len(other) < 3 {
					other = append(other, sc.Text())
				}
			}
			f.Close()
		}
		if int64(len(seen)) != s.bad {
			add("DLQ of %s: %d distinct bad lines; %d bad lines were produced", p.name, len(seen), s.bad)
		}
		if len(other) > 0 {
			add("DLQ of %s: %d dead letters for valid events, such as %s", p.name, otherN, strings.Join(other, " | "))
		}
		if dups := lines - len(seen) - otherN; dups > 0 {
			s.t.Logf("DLQ of %s: %d bad lines dead-lettered more than once (at-least-once replay)", p.name, dups)
		}
	}
	return out
}

func soakFirst(ids []int) []int { return ids[:min(len(ids), 10)] }

func soakDirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
