package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/buger/jsonparser"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/exec"
	"github.com/weir-stream/weir/planner/mql"
)

// The Nexmark part: a generator of Nexmark bids as Extended JSON lines and
// five Nexmark-style queries, each run three ways — weir's streaming
// runtime over Kafka-shaped messages, a hand-written consumer
// (encoding/json into maps, the same work in plain Go, windows included),
// and a parse-only floor (jsonparser reading the fields the query needs).

// nexmarkQuery is one query: its pipeline, the hand-written consumer and
// the fields the floor reads.
type nexmarkQuery struct {
	name, what string
	pipeline   string
	// sql is the same query in weir's SQL (docs/benchmarks.md shows what
	// it plans to).
	sql      string
	baseline func(lines [][]byte, out io.Writer) (int, error)
	floor    [][]string
}

var nexmarkQueries = []nexmarkQuery{
	{
		name: "q0", what: "pass through",
		pipeline: `[{"$source": {"connectionName": "default", "topic": "bids"}}]`,
		sql:      `SELECT * FROM kafka.bids`,
		baseline: baselineQ0,
		floor:    [][]string{{"auction"}, {"bidder"}, {"price"}, {"channel"}, {"url"}, {"dateTime", "$date"}, {"extra"}},
	},
	{
		name: "q1", what: "projection, price × 0.908",
		pipeline: `[{"$source": {"connectionName": "default", "topic": "bids"}},
 {"$project": {"auction": 1, "bidder": 1, "price": {"$multiply": ["$price", 0.908]}, "dateTime": 1}}]`,
		sql:      `SELECT auction, bidder, price * 0.908 AS price, dateTime FROM kafka.bids`,
		baseline: baselineQ1,
		floor:    [][]string{{"auction"}, {"bidder"}, {"price"}, {"dateTime", "$date"}},
	},
	{
		name: "q2", what: "filter auction % 123 = 0",
		pipeline: `[{"$source": {"connectionName": "default", "topic": "bids"}},
 {"$match": {"auction": {"$mod": [123, 0]}}},
 {"$project": {"_id": 0, "auction": 1, "price": 1}}]`,
		sql:      `SELECT auction, price FROM kafka.bids WHERE auction % 123 = 0`,
		baseline: baselineQ2,
		floor:    [][]string{{"auction"}, {"price"}},
	},
	{
		name: "q5", what: "hopping 10 s / 2 s, count per auction",
		pipeline: `[{"$source": {"connectionName": "default", "topic": "bids", "timeField": "$dateTime"}},
 {"$hoppingWindow": {"interval": {"size": 10, "unit": "second"}, "hopSize": {"size": 2, "unit": "second"},
   "pipeline": [{"$group": {"_id": "$auction", "num": {"$sum": 1}}}]}}]`,
		sql: `SELECT auction, COUNT(*) AS num FROM kafka.bids TIMESTAMP BY dateTime
WINDOW HOP(INTERVAL '10' SECOND, INTERVAL '2' SECOND) GROUP BY auction`,
		baseline: baselineQ5,
		floor:    [][]string{{"auction"}, {"dateTime", "$date"}},
	},
	{
		name: "q7", what: "tumbling 10 s, max price",
		pipeline: `[{"$source": {"connectionName": "default", "topic": "bids", "timeField": "$dateTime"}},
 {"$tumblingWindow": {"interval": {"size": 10, "unit": "second"},
   "pipeline": [{"$group": {"_id": null, "maxPrice": {"$max": "$price"}}}]}}]`,
		sql: `SELECT MAX(price) AS maxPrice FROM kafka.bids TIMESTAMP BY dateTime
WINDOW TUMBLE(INTERVAL '10' SECOND)`,
		baseline: baselineQ7,
		floor:    [][]string{{"price"}, {"dateTime", "$date"}},
	},
}

// nexmarkBase is the first event's time; events are 100 µs apart
// (Nexmark's default rate of 10,000 events/s).
var nexmarkBase = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// nexmarkBids generates n Nexmark bids as Extended JSON lines, shaped like
// Nexmark's Bid (auction, bidder, price in cents, channel, url, dateTime,
// extra) and its generator's distributions: about half the bids go to
// one hot auction and most come from a hot pool of bidders, prices are
// log-uniform up to 10^8 cents, half the channels are the four hot ones,
// and extra pads a bid to about 200 bytes. Event times increase by 100 µs
// a bid; one bid in ten is up to 500 ms late (Nexmark's delayed events,
// within the windows' default allowed lateness of 3 s). Deterministic.
func nexmarkBids(n int) ([][]byte, int) {
	r := rand.New(rand.NewPCG(7, 11))
	hotChannels := []string{"Google", "Facebook", "Baidu", "Apple"}
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	word := func(k int) string {
		b := make([]byte, k)
		for i := range b {
			b[i] = letters[r.IntN(len(letters))]
		}
		return string(b)
	}
	lines := make([][]byte, n)
	total := 0
	var buf []byte
	for i := range lines {
		// 100 auctions in flight; a new one every 50 events (Nexmark's
		// auction proportion of 3 in 50 rounded to one).
		newest := 1000 + int64(i/50)
		auction := newest - int64(r.IntN(100))
		if r.IntN(2) == 0 {
			auction = newest - newest%100 // the hot auction
		}
		bidder := 1000 + int64(r.IntN(1000))
		if r.IntN(4) != 0 {
			bidder = 1000 + int64(r.IntN(10))*100 // hot bidders
		}
		price := int64(math.Round(math.Pow(10, r.Float64()*6) * 100))
		channel := hotChannels[r.IntN(4)]
		url := "https://www.nexmark.com/" + word(5) + "/" + word(5) + "/" + word(5) + "/item.htm?query=1"
		if r.IntN(2) == 0 {
			id := r.IntN(10000)
			channel = "channel-" + strconv.Itoa(id)
			if r.IntN(10) != 0 {
				url += "&channel_id=" + strconv.Itoa(id)
			}
		}
		t := nexmarkBase.Add(time.Duration(i) * 100 * time.Microsecond)
		if r.IntN(10) == 0 {
			t = t.Add(-time.Duration(r.IntN(500)) * time.Millisecond)
		}
		buf = buf[:0]
		buf = fmt.Appendf(buf, `{"auction": %d, "bidder": %d, "price": %d, "channel": "%s", "url": "%s", "dateTime": {"$date": "%s"}, "extra": "`,
			auction, bidder, price, channel, url, t.Format("2006-01-02T15:04:05.000Z"))
		for pad := 40 + r.IntN(40); pad > 0; pad-- {
			buf = append(buf, letters[r.IntN(len(letters))])
		}
		buf = append(buf, `"}`...)
		lines[i] = append([]byte(nil), buf...)
		total += len(buf) + 1
	}
	return lines, total
}

// countingSink counts the lines a query's consumer writes and their bytes;
// with hash set, it also hashes them (to compare two runs' output).
type countingSink struct {
	n, bytes int
	hash     hash.Hash64
}

func (s *countingSink) Write(p []byte) (int, error) {
	s.bytes += len(p)
	s.n += bytes.Count(p, []byte{'\n'})
	if s.hash != nil {
		s.hash.Write(p)
	}
	return len(p), nil
}

// nexmarkSink is weir's output: every document encoded as `weir run`
// prints it (connectors.MarshalLine), or, when the runtime hands over
// lines it encoded from the columns (exec.LineSink), those lines; both
// are written to out. docsOnly hides WriteLines, so the runtime encodes
// every output from a document.
type nexmarkSink struct {
	out io.Writer
	buf []byte
}

func (s *nexmarkSink) Write(_ context.Context, docs []connectors.Doc) ([]connectors.Rejected, error) {
	s.buf = s.buf[:0]
	for _, d := range docs {
		line, err := connectors.MarshalLine(d.Doc)
		if err != nil {
			return nil, err
		}
		s.buf = append(s.buf, line...)
	}
	_, err := s.out.Write(s.buf)
	return nil, err
}

func (s *nexmarkSink) WriteLines(_ context.Context, lines []byte, _ int) error {
	_, err := s.out.Write(lines)
	return err
}

func (s *nexmarkSink) Flush(context.Context) error { return nil }
func (s *nexmarkSink) Close() error                { return nil }

var _ exec.LineSink = (*nexmarkSink)(nil)

type docsOnlySink struct{ s *nexmarkSink }

func (d docsOnlySink) Write(ctx context.Context, docs []connectors.Doc) ([]connectors.Rejected, error) {
	return d.s.Write(ctx, docs)
}
func (d docsOnlySink) Flush(ctx context.Context) error { return d.s.Flush(ctx) }
func (d docsOnlySink) Close() error                    { return d.s.Close() }

// weirNexmark runs a query's pipeline over the bids as Kafka messages of
// one partition, with the source's timestamp as Nexmark's generator would
// give it (the event time for q0–q2, whose pipelines set no timeField).
func weirNexmark(p *mql.Processor, lines [][]byte, out io.Writer, docsOnly bool) (int, error) {
	var sink connectors.Sink = &nexmarkSink{out: out}
	if docsOnly {
		sink = docsOnlySink{sink.(*nexmarkSink)}
	}
	src := &kafkaSource{lines: lines, topic: "bids", time: func(i int) time.Time {
		return nexmarkBase.Add(time.Duration(i) * 100 * time.Microsecond)
	}}
	pr, err := exec.Build(p, exec.BuildEnv{Sources: map[string]connectors.Source{"default": src}, Output: sink})
	if err != nil {
		return 0, err
	}
	if err := pr.Run(context.Background()); err != nil {
		return 0, err
	}
	return int(pr.Stats().Out), nil
}

// The hand-written consumers: what a user writes without an engine, with
// encoding/json into map[string]any, doing each query's work and writing
// each result as a JSON line.

func writeJSON(out io.Writer, buf *[]byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	*buf = append(append(*buf, b...), '\n')
	if len(*buf) > 64<<10 {
		_, err = out.Write(*buf)
		*buf = (*buf)[:0]
	}
	return err
}

func flushJSON(out io.Writer, buf []byte) error {
	_, err := out.Write(buf)
	return err
}

func baselineQ0(lines [][]byte, out io.Writer) (int, error) {
	var buf []byte
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			return 0, err
		}
		if err := writeJSON(out, &buf, m); err != nil {
			return 0, err
		}
	}
	return len(lines), flushJSON(out, buf)
}

func baselineQ1(lines [][]byte, out io.Writer) (int, error) {
	var buf []byte
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			return 0, err
		}
		o := map[string]any{"auction": m["auction"], "bidder": m["bidder"], "dateTime": m["dateTime"]}
		if p, ok := m["price"].(float64); ok {
			o["price"] = p * 0.908
		}
		if err := writeJSON(out, &buf, o); err != nil {
			return 0, err
		}
	}
	return len(lines), flushJSON(out, buf)
}

func baselineQ2(lines [][]byte, out io.Writer) (int, error) {
	var buf []byte
	n := 0
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			return 0, err
		}
		a, ok := m["auction"].(float64)
		if !ok || int64(a)%123 != 0 {
			continue
		}
		if err := writeJSON(out, &buf, map[string]any{"auction": a, "price": m["price"]}); err != nil {
			return 0, err
		}
		n++
	}
	return n, flushJSON(out, buf)
}

// baselineTime reads dateTime {"$date": "…"} as the event time.
func baselineTime(m map[string]any) (int64, bool) {
	d, ok := m["dateTime"].(map[string]any)
	if !ok {
		return 0, false
	}
	s, ok := d["$date"].(string)
	if !ok {
		return 0, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, false
	}
	return t.UnixMilli(), true
}

// baselineWindows is event-time windows in plain Go, as the engine runs
// them: a bid joins every window [start, start+size) that holds it
// (start a multiple of hop), the watermark is the largest event time
// seen, a window closes (and its result is written) once the watermark
// reaches end + 3 s of allowed lateness, a bid whose windows all closed
// is dropped, and the end of the input closes the rest.
type baselineWindows[S any] struct {
	size, hop int64
	open      map[int64]*S
	wm        int64
	add       func(s *S, m map[string]any)
	emit      func(start int64, s *S) error
}

func (w *baselineWindows[S]) bid(ts int64, m map[string]any) error {
	const lateness = 3000
	for start := ts - ts%w.hop; start > ts-w.size; start -= w.hop {
		if start+w.size+lateness <= w.wm {
			continue
		}
		s := w.open[start]
		if s == nil {
			s = new(S)
			w.open[start] = s
		}
		w.add(s, m)
	}
	if ts > w.wm {
		w.wm = ts
		return w.close(w.wm - lateness)
	}
	return nil
}

func (w *baselineWindows[S]) close(upTo int64) error {
	var starts []int64
	for start := range w.open {
		if start+w.size <= upTo {
			starts = append(starts, start)
		}
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i] < starts[j] })
	for _, start := range starts {
		if err := w.emit(start, w.open[start]); err != nil {
			return err
		}
		delete(w.open, start)
	}
	return nil
}

// run decodes each line into a map, as a hand-written consumer does, adds
// the bids that have a time to their windows, and closes every window at
// the end of the input.
func (w *baselineWindows[S]) run(lines [][]byte) error {
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			return err
		}
		ts, ok := baselineTime(m)
		if !ok {
			continue
		}
		if err := w.bid(ts, m); err != nil {
			return err
		}
	}
	return w.close(math.MaxInt64)
}

func baselineQ5(lines [][]byte, out io.Writer) (int, error) {
	var buf []byte
	n := 0
	w := &baselineWindows[map[float64]int]{size: 10_000, hop: 2_000, open: map[int64]*map[float64]int{},
		add: func(s *map[float64]int, m map[string]any) {
			if *s == nil {
				*s = map[float64]int{}
			}
			a, _ := m["auction"].(float64)
			(*s)[a]++
		},
		emit: func(start int64, s *map[float64]int) error {
			for a, c := range *s {
				n++
				if err := writeJSON(out, &buf, map[string]any{"auction": a, "num": c, "windowStart": start}); err != nil {
					return err
				}
			}
			return nil
		}}
	if err := w.run(lines); err != nil {
		return 0, err
	}
	return n, flushJSON(out, buf)
}

func baselineQ7(lines [][]byte, out io.Writer) (int, error) {
	var buf []byte
	n := 0
	type maxPrice struct {
		max float64
		any bool
	}
	w := &baselineWindows[maxPrice]{size: 10_000, hop: 10_000, open: map[int64]*maxPrice{},
		add: func(s *maxPrice, m map[string]any) {
			if p, ok := m["price"].(float64); ok && (!s.any || p > s.max) {
				s.max, s.any = p, true
			}
		},
		emit: func(start int64, s *maxPrice) error {
			n++
			return writeJSON(out, &buf, map[string]any{"maxPrice": s.max, "windowStart": start})
		}}
	if err := w.run(lines); err != nil {
		return 0, err
	}
	return n, flushJSON(out, buf)
}

// nexmarkFloor reads the query's fields with jsonparser and does nothing
// else; q2's floor also tests the filter.
func nexmarkFloor(q *nexmarkQuery, lines [][]byte) int {
	n := 0
	for _, l := range lines {
		var auction int64
		found := 0
		jsonparser.EachKey(l, func(idx int, v []byte, _ jsonparser.ValueType, _ error) {
			found++
			if q.name == "q2" && idx == 0 {
				auction, _ = jsonparser.ParseInt(v)
			}
		}, q.floor...)
		if found == len(q.floor) && (q.name != "q2" || auction%123 == 0) {
			n++
		}
	}
	return n
}

// runNexmark generates n bids and runs every query three ways, interleaved
// over rounds, and prints a table per query. Before timing, it checks
// that weir's output is the same, byte for byte, whether the runtime
// encodes lines from columns or from documents.
func runNexmark(w io.Writer, n, rounds, cpus int, only string) error {
	runtime.GOMAXPROCS(cpus)
	lines, size := nexmarkBids(n)
	var qs []*nexmarkQuery
	for i := range nexmarkQueries {
		q := &nexmarkQueries[i]
		if only == "" || strings.Contains(","+only+",", ","+q.name+",") {
			qs = append(qs, q)
		}
	}
	procs := make([]*mql.Processor, len(qs))
	for i, q := range qs {
		p, _, err := mql.Decode([]byte(q.pipeline))
		if err != nil {
			return fmt.Errorf("%s: %w", q.name, err)
		}
		procs[i] = p
		fast, slow := &countingSink{hash: fnv.New64a()}, &countingSink{hash: fnv.New64a()}
		if _, err := weirNexmark(p, lines, fast, false); err != nil {
			return fmt.Errorf("%s: %w", q.name, err)
		}
		if _, err := weirNexmark(p, lines, slow, true); err != nil {
			return fmt.Errorf("%s: %w", q.name, err)
		}
		if fast.n != slow.n || fast.bytes != slow.bytes || fast.hash.Sum64() != slow.hash.Sum64() {
			return fmt.Errorf("%s: the lines encoded from columns differ from those encoded from documents (%d lines, %d bytes vs %d lines, %d bytes)",
				q.name, fast.n, fast.bytes, slow.n, slow.bytes)
		}
	}
	type way struct {
		name string
		run  func(q *nexmarkQuery, p *mql.Processor) (int, error)
	}
	ways := []way{
		{"weir (Kafka-shaped source)", func(_ *nexmarkQuery, p *mql.Processor) (int, error) {
			return weirNexmark(p, lines, &countingSink{}, false)
		}},
		{"hand-written: encoding/json maps", func(q *nexmarkQuery, _ *mql.Processor) (int, error) {
			return q.baseline(lines, &countingSink{})
		}},
		{"parse-only floor: jsonparser", func(q *nexmarkQuery, _ *mql.Processor) (int, error) {
			return nexmarkFloor(q, lines), nil
		}},
	}
	best := make([][]result, len(qs))
	for i := range best {
		best[i] = make([]result, len(ways))
	}
	for r := 0; r < rounds; r++ {
		for qi, q := range qs {
			for wi, way := range ways {
				runtime.GC()
				w0, c0 := time.Now(), cpuTime()
				out, err := way.run(q, procs[qi])
				if err != nil {
					return fmt.Errorf("%s, %s: %w", q.name, way.name, err)
				}
				res := result{name: way.name, wall: time.Since(w0), cpu: cpuTime() - c0, out: out}
				if r == 0 || res.cpu < best[qi][wi].cpu {
					best[qi][wi] = res
				}
			}
		}
	}
	fmt.Fprintf(w, "Nexmark: %d bids (%d bytes, %d bytes a bid), GOMAXPROCS=%d, best of %d interleaved rounds\n",
		n, size, size/max(n, 1), cpus, rounds)
	for qi, q := range qs {
		fmt.Fprintf(w, "\n%s — %s (weir wrote %d results, hand-written %d)\n", q.name, q.what, best[qi][0].out, best[qi][1].out)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "run\tevents/s (CPU)\tevents/s (wall)\tvs hand-written\tvs floor\t")
		base, fl := best[qi][1].cpu, best[qi][2].cpu
		for _, r := range best[qi] {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f×\t%.2f×\t\n", r.name, rate(n, r.cpu), rate(n, r.wall),
				base.Seconds()/r.cpu.Seconds(), fl.Seconds()/r.cpu.Seconds())
		}
		tw.Flush()
	}
	fmt.Fprintln(w, "\nvs X: X's CPU time over this run's (above 1: faster than X).")
	return nil
}
