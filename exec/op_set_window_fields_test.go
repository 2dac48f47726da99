package exec

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// TestSetWindowFieldsRandom runs random $setWindowFields pipelines over
// random bounded inputs, arriving in sortBy order within each partition,
// through the streaming runtime (batch size 1 and larger, and stopped,
// checkpointed and restored in the middle) and through the reference
// runner: the answers are the same. Partitions interleave, sortBy values
// tie, values are missing, null, strings or numbers of every type, and
// windows are documents or range with random bounds, past the current
// row or not.
func TestSetWindowFieldsRandom(t *testing.T) {
	seed := int64(1)
	iters := 60
	if testing.Short() {
		iters = 15
	}
	for it := 0; it < iters; it++ {
		r := rand.New(rand.NewSource(seed + int64(it)))
		lines := swfRandInput(r)
		pipeline := swfRandPipeline(r)
		if it == 0 {
			// A range reaching the current key takes in later ties.
			lines = []string{`{"i": 0, "p": 1, "s": 1, "v": 1}`, `{"i": 1, "p": 1, "s": 1, "v": 2}`, `{"i": 2, "p": 2, "s": 1, "v": 4}`,
				`{"i": 3, "p": 1, "s": 2, "v": 8}`, `{"i": 4, "p": 1, "s": 2, "v": 16}`}
			pipeline = `[{"$source": {"connectionName": "default", "topic": "in"}},
 {"$setWindowFields": {"partitionBy": "$p", "sortBy": {"s": 1}, "output": {
   "o0": {"$sum": "$v", "window": {"range": ["current", 0]}}, "o1": {"$push": "$i", "window": {"range": [-1, 0]}}}}}]`
		}
		p, _, err := mql.Decode([]byte(pipeline))
		if err != nil {
			t.Fatalf("iteration %d: %v\n%s", it, err, pipeline)
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "in.jsonl"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		conn := connectors.File{Dir: dir}
		ref, err := (&Reference{Conns: map[string]connectors.File{"default": conn}, Now: stEpochNow}).Run(p)
		want := ""
		if err != nil {
			want = "error: " + err.Error()
		} else {
			want = stRenderRef(ref)
		}
		fail := func(what, got string) {
			t.Fatalf("iteration %d: %s differs from the reference runner\npipeline: %s\ninput:\n%s\n%s\ngot:\n%s\nreference:\n%s",
				it, what, pipeline, strings.Join(lines, "\n"), colDiff(got, want), got, want)
		}
		for _, batch := range []int{1, 5, 1024} {
			if got := stRunStream(t, p, conn, batch, false); got != want {
				fail(fmt.Sprintf("streaming, batch size %d,", batch), got)
			}
		}
		msgs := stMessages(t, p, conn)
		for _, k := range []int{1 + r.Intn(len(msgs)-1), len(msgs) / 2} {
			for _, redeliver := range []bool{false, true} {
				if got := stRunCut(t, p, conn, msgs, k, redeliver); got != want {
					fail(fmt.Sprintf("stopped after %d of %d messages and restored (redeliver %v),", k, len(msgs), redeliver), got)
				}
			}
		}
	}
}

// swfRandInput is 5 to 40 documents whose sortBy value s never decreases
// (with ties), over up to three partitions.
func swfRandInput(r *rand.Rand) []string {
	n := 5 + r.Intn(36)
	s := 0
	vals := []string{`1`, `2`, `-3`, `2.5`, `-0.0`, `{"$numberLong": "7"}`, `2147483647`, `null`, `"x"`, `"a"`, `true`,
		`{"$numberDecimal": "1.5"}`, `{"$numberDouble": "NaN"}`, `[1]`}
	var lines []string
	for i := 0; i < n; i++ {
		if r.Intn(3) > 0 {
			s += r.Intn(3)
		}
		v := ""
		if k := r.Intn(len(vals) + 2); k < len(vals) {
			v = `, "v": ` + vals[k]
		}
		lines = append(lines, fmt.Sprintf(`{"i": %d, "p": %d, "s": %d%s}`, i, r.Intn(3), s, v))
	}
	return lines
}

// swfRandPipeline is a $setWindowFields with one to three outputs.
func swfRandPipeline(r *rand.Rand) string {
	// bound is a window's [lo, hi], lo not after hi.
	bound := func() (lo, hi string) {
		pick := func(unbounded int) (string, int) {
			switch k := r.Intn(9); {
			case k == 0:
				return `"unbounded"`, unbounded
			case k == 1:
				return `"current"`, 0
			default:
				n := r.Intn(7) - 3
				return fmt.Sprint(n), n
			}
		}
		for {
			l, ln := pick(-100)
			h, hn := pick(100)
			if ln <= hn {
				return l, h
			}
		}
	}
	funcs := []string{`{"$sum": "$v"}`, `{"$avg": "$v"}`, `{"$min": "$v"}`, `{"$max": "$v"}`, `{"$first": "$v"}`, `{"$last": "$v"}`,
		`{"$push": "$i"}`, `{"$count": {}}`}
	var outs []string
	for k := 0; k < 1+r.Intn(3); k++ {
		var f string
		switch c := r.Intn(10); {
		case c == 0:
			f = fmt.Sprintf(`{"$shift": {"output": "$i", "by": %d, "default": "none"}}`, r.Intn(5)-2)
		case c == 1:
			f = []string{`{"$documentNumber": {}}`, `{"$rank": {}}`, `{"$denseRank": {}}`}[r.Intn(3)]
		default:
			f = funcs[r.Intn(len(funcs))]
			switch r.Intn(4) {
			case 0: // no window: the whole partition
			case 1:
				lo, hi := bound()
				f = f[:len(f)-1] + fmt.Sprintf(`, "window": {"range": [%s, %s]}}`, lo, hi)
			default:
				lo, hi := bound()
				f = f[:len(f)-1] + fmt.Sprintf(`, "window": {"documents": [%s, %s]}}`, lo, hi)
			}
		}
		outs = append(outs, fmt.Sprintf(`"o%d": %s`, k, f))
	}
	partition := ""
	if r.Intn(4) > 0 {
		partition = `"partitionBy": "$p", `
	}
	return fmt.Sprintf(`[{"$source": {"connectionName": "default", "topic": "in"}},
 {"$setWindowFields": {%s"sortBy": {"s": 1}, "output": {%s}}}]`, partition, strings.Join(outs, ", "))
}
