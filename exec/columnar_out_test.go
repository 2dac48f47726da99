package exec

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// colLineSink is an output LineSink that keeps every line: documents as
// connectors.MarshalLine encodes them, lines as given.
type colLineSink struct {
	mu  sync.Mutex
	all strings.Builder
}

func (s *colLineSink) Write(_ context.Context, docs []connectors.Doc) ([]connectors.Rejected, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range docs {
		l, err := connectors.MarshalLine(d.Doc)
		if err != nil {
			return nil, err
		}
		s.all.Write(l)
	}
	return nil, nil
}

func (s *colLineSink) WriteLines(_ context.Context, lines []byte, n int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if strings.Count(string(lines), "\n") != n || (n > 0 && lines[len(lines)-1] != '\n') {
		return fmt.Errorf("%d lines announced, got %q", n, lines)
	}
	s.all.Write(lines)
	return nil
}

func (s *colLineSink) Flush(context.Context) error { return nil }
func (s *colLineSink) Close() error                { return nil }

// colOutTestRun is colTestRun with the output going to a LineSink: on the
// fast path (columnar) the output tail may encode lines from columns; on
// the row path every document goes through the operators and
// MarshalLine. It returns everything observable and how many
// documents it built (the rest were encoded from columns or filtered out).
func colOutTestRun(t *testing.T, pipeline string, msgs []connectors.Message, batch int, columnar bool) (string, int64) {
	t.Helper()
	p, _, err := mql.Decode([]byte(pipeline))
	if err != nil {
		t.Fatal(err)
	}
	src := newMemSource(msgs, 50, false)
	out, dlq := &colLineSink{}, &stMemSink{}
	pr, err := Build(p, BuildEnv{
		Sources: map[string]connectors.Source{"default": src},
		Output:  out, DLQ: dlq, Now: stEpochNow, BatchSize: batch,
	})
	if err != nil {
		t.Fatal(err)
	}
	if columnar && (pr.col == nil || pr.col.out == nil) {
		t.Fatalf("%s: no columnar output", pipeline)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	pr.mem = mem
	if !columnar {
		pr.col, pr.driverDecode = nil, true
	}
	if err := pr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	mem.AssertSize(t, 0)
	var b strings.Builder
	fmt.Fprintf(&b, "out:\n%s", out.all.String())
	b.WriteString("dlq:\n")
	for _, d := range dlq.docs() {
		j, err := bson.MarshalExtJSON(d, true, false)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	st := pr.Stats()
	fmt.Fprintf(&b, "commits: %v\nstats: in %d out %d dlq %d wm %s\n", src.committed(), st.In, st.Out, st.DLQ, st.Watermark)
	return b.String(), pr.unmarshals
}

// colOutTestMessages are Nexmark-like bids whose prices take every type
// (int, long, double, missing, null, string, …) among lines the encoder
// must leave to the row path, and messages with a Kafka key or headers.
func colOutTestMessages() []connectors.Message {
	var msgs []connectors.Message
	add := func(l string) {
		m := connectors.Message{Value: []byte(l), Time: stEpochNow().Add(time.Duration(len(msgs)) * time.Millisecond),
			Position: connectors.Position{Topic: "bids", Partition: int32(len(msgs) % 3), Offset: int64(len(msgs) / 3)}}
		switch len(msgs) % 97 {
		case 5:
			m.Key = []byte("k")
		case 6:
			m.Headers = []connectors.Header{{Key: "h", Value: []byte("v")}}
		}
		msgs = append(msgs, m)
	}
	prices := []string{`100`, `-7`, `0`, `-0`, `2147483647`, `-2147483648`, `3000000000`, `{"$numberLong": "42"}`,
		`{"$numberInt": "12"}`, `19.99`, `1e3`, `-0.0`, `1.5E-7`, `123456789012345678901`, `{"$numberDouble": "NaN"}`,
		`{"$numberDouble": "-Infinity"}`, `null`, `"12"`, `true`, `[1, 2]`, `{"a": 1}`, `{"$numberDecimal": "1.5"}`,
		`{"$date": "2026-11-23T10:00:00Z"}`, `9007199254740993`, `{"$numberLong": "9223372036854775807"}`}
	for i := 0; i < 400; i++ {
		price := `,"price": ` + prices[i%len(prices)]
		if i%31 == 3 {
			price = "" // missing
		}
		ms := []string{"000", "100", "120", "123", "005", "050"}[i%6]
		l := fmt.Sprintf(`{"auction": %d, "bidder": %d%s, "channel": "ché-%d", "url": "https://x/%d?a=1&b=<2>",`+
			` "dateTime": {"$date": "2026-11-23T10:%02d:%02d.%sZ"}, "extra": "e%d"}`,
			1000+i%250, 2000+i, price, i%7, i, (i/60)%60, i%60, ms, i)
		switch i % 53 {
		case 7:
			l = fmt.Sprintf(`{"_id": {"$oid": "5F1D7F3E2B8F1C2A3B4C5D%02d"}, "auction": %d, "price": %d, "dateTime": {"$date": "2026-11-23T10:00:00Z"}}`, i, 1000+i, i)
		case 8:
			l = fmt.Sprintf(`{"auction": %d, "_id": 5, "price": 10, "dateTime": {"$date": "2026-11-23T10:00:01Z"}}`, 1123+i)
		case 9:
			l = fmt.Sprintf(`{"auction": %d, "auction": 1, "price": 10, "price": 11, "dateTime": {"$date": "2026-11-23T10:00:02Z"}}`, 123*i)
		case 10:
			l = `{"auction": 246, "price": 3, "dateTime": {"$date": "2026-11-23T10:00:03Z"}, "note": "tab\tquote\"slash\\/ \u2028 end"}`
		case 11:
			l = `{"auction": 369, "price": 3, "dateTime": {"$date": "2026-11-23T10:00:04Z"}, "_stream_meta": {"x": 1}}`
		case 12:
			l = `{"auction": 492, "price": 4, "dateTime": {"$date": "2026-11-23T10:00:05Z"}, "_ts": 1}`
		case 13:
			l = `{"auction": 615, "price": 4, "dateTime": {"$date": "1969-12-31T23:59:59.999Z"}, "deep": {"a": [1, {"b": null}, []], "e": {}}}`
		case 14:
			l = `{"auction": 738, "price": 4, "dateTime": "not a date"}`
		case 15:
			l = `not json`
		case 16:
			l = `{"auction": 861, "price": 5, "dateTime": {"$date": "2026-11-23T10:00:06Z"}, "bad": {"$numberInt": "x"}}`
		case 17:
			l = `{"auction": 984, "price": 5, "dateTime": {"$date": {"$numberLong": "1795428000000"}}, "big": 1e400}`
		case 18:
			l = `{"auction": 1107, "price": {"$numberLong": "9223372036854775807"}, "dateTime": {"$date": "2026-11-23T10:00:07Z"}, "m\u2029k": [true, false]}`
		case 19:
			l = `{}`
		case 20:
			l = `{"auction": 1230.0, "price": 6, "dateTime": {"$date": "2026-11-23T10:00:08Z"}, "oid": {"$oid": "5f1d7f3e2b8f1c2a3b4c5d6e"}}`
		}
		add(l)
	}
	return msgs
}

// TestColumnarOutputSameAsRowPath runs pipelines whose output the fast
// path encodes from columns, on both paths, with several batch sizes: the
// lines, the dead letters, the commits and the watermark are identical,
// and most lines were encoded from columns.
func TestColumnarOutputSameAsRowPath(t *testing.T) {
	pipelines := []string{
		// q0: pass-through.
		`[{"$source": {"connectionName": "default", "topic": "bids"}}]`,
		// q1: inclusion and $multiply by a double.
		`[{"$source": {"connectionName": "default", "topic": "bids"}},
		  {"$project": {"auction": 1, "bidder": 1, "price": {"$multiply": ["$price", 0.908]}, "dateTime": 1}}]`,
		// q1 as SQL plans it: field paths, no _id, no metadata.
		`{"pipeline": [{"$source": {"connectionName": "default", "topic": "bids"}},
		  {"$project": {"_id": 0, "auction": "$auction", "bidder": "$bidder", "price": {"$multiply": ["$price", 0.908]}, "dateTime": "$dateTime"}}],
		  "options": {"streamMetaFieldName": ""}}`,
		// q2: a $mod kernel, then a projection.
		`[{"$source": {"connectionName": "default", "topic": "bids"}},
		  {"$match": {"auction": {"$mod": [123, 0]}}},
		  {"$project": {"_id": 0, "auction": 1, "price": 1}}]`,
		// Integer arithmetic that overflows int and long; literals; _ts kept.
		`[{"$source": {"connectionName": "default", "topic": "bids", "timeField": {"$toDate": "$dateTime"}}},
		  {"$match": {"auction": {"$gte": 1000}}},
		  {"$project": {"auction": 1, "_ts": 1, "big": {"$multiply": ["$price", 1000000000, 10]},
		    "sum": {"$add": ["$price", 1, {"$subtract": ["$auction", 0.5]}]}, "neg": {"$subtract": [0, "$price"]},
		    "s": {"$literal": "a\"b"}, "t": true, "n": null, "c": "$channel", "d": "$dateTime", "o": "$oid", "x": "$nothere"}}]`,
		// A stage the kernel cannot decide before the output.
		`[{"$source": {"connectionName": "default", "topic": "bids"}},
		  {"$match": {"$expr": {"$gt": ["$price", 50]}}},
		  {"$project": {"auction": 1, "price": {"$multiply": ["$price", 2]}}}]`,
	}
	msgs := colOutTestMessages()
	for pi, pl := range pipelines {
		for _, batch := range []int{1, 7, 1024} {
			row, rowBuilt := colOutTestRun(t, pl, msgs, batch, false)
			col, colBuilt := colOutTestRun(t, pl, msgs, batch, true)
			if col != row {
				t.Errorf("pipeline %d batch %d: the fast path differs from the row path\n%s", pi, batch, colDiff(col, row))
			}
			if pi < len(pipelines)-1 && colBuilt*2 > rowBuilt {
				t.Errorf("pipeline %d batch %d: %d documents built on the fast path, %d on the row path", pi, batch, colBuilt, rowBuilt)
			}
		}
	}
}

// colDiff shows the first differing line of two renderings.
func colDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\nfast path: %s\nrow path:  %s", i+1, a, b)
		}
	}
	return ""
}

// TestColumnarOutputPlan checks which tails the fast path runs itself.
func TestColumnarOutputPlan(t *testing.T) {
	for _, c := range []struct {
		pipeline string
		out      bool
	}{
		{`[{"$source": {"connectionName": "k", "topic": "t"}}]`, true},
		{`[{"$source": {"connectionName": "k", "topic": "t"}}, {"$project": {"a": 1, "b": {"$add": ["$a", 1]}}}]`, true},
		{`[{"$source": {"connectionName": "k", "topic": "t"}}, {"$match": {"a": 1}}, {"$project": {"a": 1}}]`, true},
		{`[{"$source": {"connectionName": "k", "topic": "t"}}, {"$project": {"a": 0}}]`, false},
		{`[{"$source": {"connectionName": "k", "topic": "t"}}, {"$project": {"a.b": 1}}]`, false},
		{`[{"$source": {"connectionName": "k", "topic": "t"}}, {"$project": {"a": {"$concat": ["$b", "x"]}}}]`, false},
		{`[{"$source": {"connectionName": "k", "topic": "t"}}, {"$project": {"a": {"$add": ["$b", "x"]}}}]`, false},
		{`[{"$source": {"connectionName": "k", "topic": "t"}}, {"$project": {"a": "$_ts"}}]`, false},
		{`[{"$source": {"connectionName": "k", "topic": "t"}}, {"$addFields": {"a": 1}}]`, false},
		{`[{"$source": {"connectionName": "k", "topic": "t"}}, {"$project": {"a": 1}}, {"$project": {"a": 1}}]`, false},
		{`[{"$source": {"connectionName": "k", "topic": "t"}}, {"$emit": {"connectionName": "k", "topic": "u"}}]`, false},
		{`[{"$source": {"connectionName": "k", "db": "d", "coll": "c"}}]`, false},
		// A dotted metadata field is a path the row path nests.
		{`{"pipeline": [{"$source": {"connectionName": "k", "topic": "t"}}], "options": {"streamMetaFieldName": "m.x"}}`, false},
		{`{"pipeline": [{"$source": {"connectionName": "k", "topic": "t"}}, {"$project": {"a": 1}}], "options": {"streamMetaFieldName": "m.x"}}`, false},
		{`{"pipeline": [{"$source": {"connectionName": "k", "topic": "t"}}, {"$project": {"a": 1}}], "options": {"streamMetaFieldName": "m"}}`, true},
	} {
		p, _, err := mql.Decode([]byte(c.pipeline))
		if err != nil {
			t.Fatal(err)
		}
		pr, err := Build(p, BuildEnv{Sources: map[string]connectors.Source{"k": newMemSource(nil, 1, false)},
			Sinks: map[string]connectors.Sink{"k": &stMemSink{}}, Output: &colLineSink{}})
		if err != nil {
			t.Fatal(err)
		}
		if got := pr.col != nil && pr.col.out != nil; got != c.out {
			t.Errorf("%s: columnar output %v, want %v", c.pipeline, got, c.out)
		}
	}
}

// colLineCorpus are lines around the edges of what the encoder writes.
var colLineCorpus = []string{
	`{"a": 1.0, "b": 1e21, "c": 1e20, "d": 123456.7, "e": 1234567.0, "f": 0.0001, "g": 0.00001, "h": -1.5e-300}`,
	`{"a": {"$date": "1970-01-01T00:00:00Z"}, "b": {"$date": "9999-12-31T23:59:59.999Z"}, "c": {"$date": "2024-02-29T12:34:56.010Z"}}`,
	`{"a": {"$date": {"$numberLong": "-1"}}, "b": {"$date": {"$numberLong": "253402300800000"}}, "c": {"$date": 5}}`,
	`{"a": "<&>\u007f", "b": "\u2028\u2029", "c": "\b\f\n\r\t\"\\\/", "d": "日本語"}`,
	`{"a": {"$oid": "5F1D7F3E2B8F1C2A3B4C5D6E"}, "b": {"$numberDouble": "-0.0"}, "c": {"$numberDouble": "1"}, "d": {"$numberLong": "-0"}}`,
	`{"a": -0, "b": -0.0, "c": 0e0, "d": 99999999999999999999, "e": -9223372036854775808, "f": 9223372036854775808}`,
	`{"k\u2028": 1, "<": [{"$numberInt": "-5"}, [], {}, [[]]]}`,
	`{"a": 1, "a": {"b": 2}, "_id": 3, "_id": 4}`,
	`{"a": "\u00e9", "b": "\ud83d\ude00", "c": "\ud800"}`,
	"{\"a\": \"\xff\xfe\", \"b\": \"\xe2\x80\xa8\"}",
	`{"a": 1e400, "b": -1e400, "c": 1e-400}`,
	`{"a": {"$numberDecimal": "1.5"}, "b": {"$date": {"$numberLong": "5"}}, "c": {"$date": "2026-01-01T00:00:00+01:00"}}`,
	`{"a": {"$numberDouble": "1e400"}, "b": {"$numberLong": "9223372036854775808"}, "c": {"$numberInt": "2147483648"}}`,
	`[{"a": 1}]`, `5`, `"s"`, `null`, ` {"a": [1, [2, [3, {"b": {"c": []}}]]]} `,
	`{"_stream_meta": {"x": 1}, "_ts": 5, "": 1, "a.b": 2}`,
}

// FuzzColLine checks the line encoder against the driver: for a line in
// the safe subset, colLineDoc writes what MarshalExtJSON writes of the
// document colDoc (and the driver) builds; outside it, it gives up.
func FuzzColLine(f *testing.F) {
	for _, l := range colSafeCorpus {
		f.Add(l)
	}
	for _, l := range colLineCorpus {
		f.Add(l)
	}
	lines, _ := benchOrderLines(true)
	f.Add(string(lines[0]))
	f.Fuzz(colCheckLine)
}

func TestColLine(t *testing.T) {
	for _, l := range append(append([]string(nil), colSafeCorpus...), colLineCorpus...) {
		colCheckLine(t, l)
	}
	lines, _ := benchOrderLines(true)
	for _, l := range lines[:200] {
		colCheckLine(t, string(l))
	}
	for _, l := range colOutTestMessages() {
		colCheckLine(t, string(l.Value))
	}
	for ms := int64(-2); ms < 253402300800002; ms += 7_777_777_777 + ms/3 {
		colCheckDate(t, ms)
	}
	for _, ms := range []int64{0, 1, 10, 100, 999, 1000, 1010, 253402300799999, 253402300800000, -1} {
		colCheckDate(t, ms)
	}
}

func colCheckDate(t *testing.T, ms int64) {
	want, err := bson.MarshalExtJSON(bson.D{{Key: "d", Value: bson.DateTime(ms)}}, false, false)
	if err != nil {
		t.Fatal(err)
	}
	got := append(colLineDate([]byte(`{"d":`), ms), '}')
	if string(got) != string(want) {
		t.Fatalf("date %d: %s, driver %s", ms, got, want)
	}
}

func colCheckLine(t *testing.T, line string) {
	got, _, ok := colLineDoc(nil, []byte(line), nil, [2]string{})
	safe := colSafeExtJSON([]byte(line))
	if !safe {
		if ok {
			t.Fatalf("line %q outside the safe subset was encoded: %s", line, got)
		}
		return
	}
	if !ok {
		t.Fatalf("safe line %q: not encoded", line)
	}
	got = append(got, '}')
	doc, built := colDoc([]byte(line))
	if !built {
		t.Fatalf("safe line %q: colDoc failed", line)
	}
	want, err := bson.MarshalExtJSON(doc, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("line %q:\nencoder %s\ndriver  %s", line, got, want)
	}
}

// colRandValue is a random Extended JSON value, inside and outside the
// subset the line encoder writes: every number form, strings with
// escapes and invalid UTF-8, wrappers of every type, nested documents
// and arrays.
func colRandValue(r *rand.Rand, depth int) string {
	atoms := []string{`1`, `-1`, `0`, `-0`, `-0.0`, `0.5`, `1e3`, `1E-7`, `2147483647`, `2147483648`, `-2147483649`, `9223372036854775807`,
		`9223372036854775808`, `-9223372036854775809`, `123456789012345678901`, `1e400`, `1.7976931348623157e308`, `4.9e-324`, `5e-325`,
		`{"$numberLong": "42"}`, `{"$numberLong": "-9223372036854775808"}`, `{"$numberInt": "7"}`, `{"$numberInt": "2147483648"}`,
		`{"$numberDouble": "NaN"}`, `{"$numberDouble": "-0.0"}`, `{"$numberDouble": "Infinity"}`, `{"$numberDouble": "1e400"}`,
		`{"$numberDecimal": "1.5"}`, `{"$numberDecimal": "-0"}`, `{"$date": "2026-01-01T00:00:00Z"}`, `{"$date": "2026-01-01T00:00:00.5+01:00"}`,
		`{"$date": {"$numberLong": "-5"}}`, `{"$date": 12}`, `{"$oid": "5f1d7f3e2b8f1c2a3b4c5d6e"}`, `{"$oid": "xyz"}`,
		`null`, `true`, `false`, `"s"`, `""`, `"\u00e9"`, `"\ud83d\ude00"`, `"\ud800"`, "\"\xff\"", `"a\"b\\c\/d\n"`, "\"\u2028\"", `"<>&"`,
		`"$x"`, `{"$x": 1}`, `{"$regularExpression": {"pattern": "a", "options": ""}}`, `{"$binary": {"base64": "AA==", "subType": "00"}}`,
		`{"$timestamp": {"t": 1, "i": 2}}`, `{"$minKey": 1}`, `{"$undefined": true}`, `{"$symbol": "x"}`}
	if depth < 3 {
		switch r.Intn(6) {
		case 0:
			n := r.Intn(4)
			var parts []string
			for i := 0; i < n; i++ {
				parts = append(parts, colRandValue(r, depth+1))
			}
			return "[" + strings.Join(parts, ", ") + "]"
		case 1:
			return colRandDoc(r, depth+1)
		}
	}
	return atoms[r.Intn(len(atoms))]
}

// colRandDoc is a random message, with duplicate keys, _id anywhere,
// _ts and _stream_meta, dotted, empty and $-prefixed keys.
func colRandDoc(r *rand.Rand, depth int) string {
	keys := []string{"_id", "a", "b", "c", "p", "_ts", "_stream_meta", "m", "d", "k\u00e9", "a.b", "", "$k", `e\u0041`}
	n := r.Intn(5)
	var parts []string
	for i := 0; i < n; i++ {
		k := keys[r.Intn(len(keys))]
		if depth == 0 && r.Intn(3) > 0 {
			k = keys[1+r.Intn(4)]
		}
		parts = append(parts, `"`+k+`": `+colRandValue(r, depth))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// TestColumnarOutputRandom runs random messages (a few a JSON array or a
// scalar) through pipelines the fast path writes itself, on both paths:
// the output is the same.
func TestColumnarOutputRandom(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	pipelines := []string{
		`[{"$source": {"connectionName": "default", "topic": "t"}}]`,
		`[{"$source": {"connectionName": "default", "topic": "t"}}, {"$project": {"a": 1, "b": 1}}]`,
		`[{"$source": {"connectionName": "default", "topic": "t"}}, {"$project": {"_id": 0, "a": 1, "_ts": 1}}]`,
		`[{"$source": {"connectionName": "default", "topic": "t"}}, {"$project": {"_id": 1, "x": "$a", "y": "$b.c", "z": {"$add": ["$a", "$b", 1]}}}]`,
		`[{"$source": {"connectionName": "default", "topic": "t"}}, {"$match": {"a": {"$gt": 0}}}, {"$project": {"c": 1, "x": {"$multiply": ["$a", 2.5]}, "y": {"$subtract": ["$b", "$a"]}}}]`,
		`[{"$source": {"connectionName": "default", "topic": "t"}}, {"$match": {"a": {"$ne": "s"}, "b": {"$lte": 5}}}, {"$project": {"_id": 0, "a": 1, "p": {"$add": ["$p"]}}}]`,
		`{"pipeline": [{"$source": {"connectionName": "default", "topic": "t"}}, {"$project": {"_id": 0, "a": "$a", "b": "$b"}}], "options": {"streamMetaFieldName": ""}}`,
		`{"pipeline": [{"$source": {"connectionName": "default", "topic": "t"}}, {"$project": {"a": 1, "p": 1}}], "options": {"streamMetaFieldName": "m"}}`,
		`[{"$source": {"connectionName": "default", "topic": "t"}}, {"$project": {"x": "$a.b", "y": {"$add": ["$a.b", 1]}, "a": 1}}]`,
		`{"pipeline": [{"$source": {"connectionName": "default", "topic": "t", "tsFieldName": "d"}}, {"$project": {"a": 1, "d": 1}}]}`,
		`[{"$source": {"connectionName": "default", "topic": "t", "timeField": "$d"}}, {"$project": {"a": 1, "_ts": 1, "x": "$d"}}]`,
		`[{"$source": {"connectionName": "default", "topic": "t", "timeField": {"$toDate": "$d"}}}, {"$match": {"a": {"$mod": [2, 0]}}}]`,
	}
	for iter := 0; iter < 8; iter++ {
		var lines []string
		for i := 0; i < 200; i++ {
			l := colRandDoc(r, 0)
			if r.Intn(3) == 0 {
				l = strings.Replace(l, "{", `{"d": {"$date": "2026-01-01T00:00:0`+fmt.Sprint(r.Intn(10))+`Z"}, `, 1)
				l = strings.Replace(l, ", }", "}", 1)
			}
			switch r.Intn(40) {
			case 0:
				l = "[" + l + "]"
			case 1:
				l = "5"
			case 2:
				l = " " + l + " \n"
			}
			lines = append(lines, l)
		}
		msgs := colMsgs(lines...)
		for pi, pl := range pipelines {
			for _, batch := range []int{1, 64} {
				row, _ := colOutTestRun(t, pl, msgs, batch, false)
				col, _ := colOutTestRun(t, pl, msgs, batch, true)
				if col != row {
					t.Fatalf("iter %d pipeline %d batch %d differs\n%s", iter, pi, batch, colDiff(col, row))
				}
			}
		}
	}
}

// colMsgs are lines as messages of one partition, a millisecond apart.
func colMsgs(lines ...string) []connectors.Message {
	var msgs []connectors.Message
	for i, l := range lines {
		msgs = append(msgs, connectors.Message{Value: []byte(l), Time: stEpochNow().Add(time.Duration(i) * time.Millisecond),
			Position: connectors.Position{Topic: "t", Partition: 0, Offset: int64(i)}})
	}
	return msgs
}
