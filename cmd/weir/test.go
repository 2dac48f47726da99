package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/planner/mql"
)

// testClock is the processing time of every `weir test` run, so change
// events' wallTime, dlqTime and processing-time windows come out the same
// on every machine.
var testClock = time.Unix(0, 0).UTC()

func runTest(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("test", flag.ContinueOnError)
	flags.SetOutput(stderr)
	update := flags.Bool("update", false, "write expected/ from the actual output where they differ")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: weir test [--update] PATH...")
		fmt.Fprintln(stderr, "Runs each case under PATH: a folder with one pipeline file (*.sql or *.json), input/ and expected/.")
		fmt.Fprintln(stderr, "Every connection the pipeline names reads a copy of input/; the files its sinks write are compared")
		fmt.Fprintln(stderr, "with the same paths under expected/, the output of a sink-less pipeline with expected/stdout.jsonl,")
		fmt.Fprintln(stderr, "and DLQ documents without options.dlq with expected/dlq.jsonl. See docs/testing.md.")
		fmt.Fprintln(stderr, "Exit status: 0 all passed, 1 a case failed, 2 a case is malformed.")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err}
	}
	if flags.NArg() == 0 {
		flags.Usage()
		return badInput("weir test: expected at least one PATH")
	}
	var cases []string
	seen := map[string]bool{}
	for _, root := range flags.Args() {
		found, err := findCases(root)
		if err != nil {
			return badInput("weir test: %v", err)
		}
		if len(found) == 0 {
			return badInput("weir test: %s holds no case (a folder with a pipeline file and input/ or expected/)", root)
		}
		for _, c := range found {
			if !seen[filepath.Clean(c)] {
				seen[filepath.Clean(c)] = true
				cases = append(cases, c)
			}
		}
	}
	failed, malformed := 0, 0
	for _, dir := range cases {
		start := time.Now()
		r := runCase(dir, *update)
		took := time.Since(start).Round(time.Millisecond)
		switch {
		case r.malformed != "":
			malformed++
			fmt.Fprintf(stdout, "--- MALFORMED: %s\n    %s\n", dir, indent(r.malformed))
		case len(r.diffs) > 0:
			failed++
			fmt.Fprintf(stdout, "--- FAIL: %s (%s)\n", dir, took)
			for _, d := range r.diffs {
				fmt.Fprintf(stdout, "    %s\n", indent(d))
			}
		default:
			fmt.Fprintf(stdout, "ok   %s (%s)\n", dir, took)
		}
		for _, w := range r.wrote {
			fmt.Fprintf(stdout, "    %s\n", w)
		}
	}
	if failed+malformed > 0 {
		fmt.Fprintln(stdout, "FAIL")
		if malformed > 0 {
			return badInput("weir test: %d case(s) malformed, %d failed", malformed, failed)
		}
		return fmt.Errorf("weir test: %d of %d case(s) failed", failed, len(cases))
	}
	fmt.Fprintln(stdout, "PASS")
	return nil
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n    ") }

// findCases lists the case folders at or under root, in path order. A
// folder with input/ or expected/ is a case; any other folder is searched.
func findCases(root string) ([]string, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a folder; give a case folder or a folder of cases", root)
	}
	var cases []string
	var visit func(dir string) error
	visit = func(dir string) error {
		if isDir(filepath.Join(dir, "input")) || isDir(filepath.Join(dir, "expected")) {
			cases = append(cases, dir)
			return nil
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
				if err := visit(filepath.Join(dir, e.Name())); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return cases, visit(root)
}

func isDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

// caseResult is how one case went: malformed (the case itself is wrong),
// failed with diffs, or passed; wrote lists what --update changed.
type caseResult struct {
	malformed string
	diffs     []string
	wrote     []string
}

// actualFile is one output of a case's run, named by its path under
// expected/.
type actualFile struct {
	docs []bson.D
	// ordered says the row order is part of the answer.
	ordered bool
}

// Files under expected/ for output that has no file of its own.
const (
	stdoutFile = "stdout.jsonl"
	dlqFile    = "dlq.jsonl"
)

func runCase(dir string, update bool) caseResult {
	pipelineFile, err := casePipeline(dir)
	if err != nil {
		return caseResult{malformed: err.Error()}
	}
	expected, err := readExpected(filepath.Join(dir, "expected"))
	if err != nil {
		return caseResult{malformed: err.Error()}
	}
	src, err := os.ReadFile(pipelineFile)
	if err != nil {
		return caseResult{malformed: err.Error()}
	}
	procs, _, err := planInput(pipelineFile, src)
	if err != nil {
		return caseResult{diffs: []string{err.Error()}}
	}

	// The run writes into a copy of input/, so $merge starts from input/'s
	// collections and the case folder is never changed.
	work, err := os.MkdirTemp("", "weir-test-")
	if err != nil {
		return caseResult{diffs: []string{err.Error()}}
	}
	defer os.RemoveAll(work)
	if err := copyDir(filepath.Join(dir, "input"), work); err != nil {
		return caseResult{diffs: []string{"copying input/: " + err.Error()}}
	}
	conns := map[string]connectors.File{"default": {Dir: work}}
	for _, p := range procs {
		names, _ := pipelineConns(p)
		for _, n := range names {
			conns[n] = connectors.File{Dir: work}
		}
	}

	actual := map[string]*actualFile{}
	ignore := map[string]bool{"_id": true, "_ts": true, "_stream_meta": true}
	generated := map[bson.ObjectID]bool{}
	for _, p := range procs {
		if p.Name == "" {
			p.Name = strings.TrimSuffix(filepath.Base(pipelineFile), filepath.Ext(pipelineFile))
		}
		out, err := runFiles(p, conns, func() time.Time { return testClock })
		if err != nil {
			return caseResult{diffs: []string{fmt.Sprintf("processor %s: %v", p.Name, err)}}
		}
		if out.metaField != "" {
			ignore[out.metaField] = true
		}
		// The event time field ASP adds (_ts, or $source.tsFieldName) is
		// the processing time without a timeField: it counts only where
		// expected documents have it, as _ts does.
		if len(p.Pipeline) > 0 {
			if src, ok := p.Pipeline[0].(*mql.Source); ok && src.TsFieldName != "" {
				ignore[src.TsFieldName] = true
			}
		}
		for id := range out.generated {
			generated[id] = true
		}
		if out.sinkless {
			a := actualOf(actual, stdoutFile)
			a.docs = append(a.docs, out.stdout...)
			a.ordered = out.ordered
		}
		if len(out.dlq) > 0 {
			a := actualOf(actual, dlqFile)
			a.docs = append(a.docs, out.dlq...)
		}
		for _, f := range out.files {
			if f.rel == stdoutFile || f.rel == dlqFile {
				return caseResult{malformed: fmt.Sprintf("the pipeline writes %s, which expected/ reserves for %s", f.rel, strings.TrimSuffix(f.rel, ".jsonl"))}
			}
			// A topic's or the DLQ's output is what the run appended; a
			// collection's is its final state, which a later processor's
			// $merge replaces.
			a := actualOf(actual, f.rel)
			if f.what == "merged" {
				a.docs = f.docs
			} else {
				a.docs = append(a.docs, f.docs...)
			}
			a.ordered = f.what == "emitted" && out.ordered
		}
	}

	var r caseResult
	for _, rel := range unionKeys(expected, actual) {
		want, inExpected := expected[rel]
		got, inActual := actual[rel]
		if !inActual {
			got = &actualFile{}
		}
		got = &actualFile{docs: stripDLQTs(want, got.docs, ignore), ordered: got.ordered}
		diff := compareDocs(want, got.docs, got.ordered, ignore, generated)
		if diff == "" {
			continue
		}
		path := filepath.Join(dir, "expected", filepath.FromSlash(rel))
		if !update {
			what := "expected/" + rel
			if !inActual {
				what += " (the pipeline wrote no such output)"
			}
			r.diffs = append(r.diffs, what+": "+diff)
			continue
		}
		if !inActual {
			if err := os.Remove(path); err != nil {
				return caseResult{diffs: []string{err.Error()}}
			}
			r.wrote = append(r.wrote, "removed expected/"+rel)
			continue
		}
		docs := make([]bson.D, len(got.docs))
		for i, d := range got.docs {
			docs[i] = stripFields(d, ignore, nil, generated)
		}
		if err := writeJSONL(path, docs); err != nil {
			return caseResult{diffs: []string{err.Error()}}
		}
		verb := "updated"
		if !inExpected {
			verb = "wrote"
		}
		r.wrote = append(r.wrote, verb+" expected/"+rel)
	}
	return r
}

func actualOf(m map[string]*actualFile, rel string) *actualFile {
	if m[rel] == nil {
		m[rel] = &actualFile{}
	}
	return m[rel]
}

// casePipeline is the case's one pipeline file.
func casePipeline(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var found []string
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if !e.IsDir() && (ext == ".sql" || ext == ".json") {
			found = append(found, e.Name())
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("no pipeline file: a case holds one *.sql or *.json file beside input/ and expected/")
	case 1:
		return filepath.Join(dir, found[0]), nil
	}
	return "", fmt.Errorf("%d pipeline files (%s): a case holds exactly one", len(found), strings.Join(found, ", "))
}

// readExpected reads every .jsonl file under expected/, by its path there.
func readExpected(dir string) (map[string][]bson.D, error) {
	out := map[string][]bson.D{}
	if !isDir(dir) {
		return out, nil
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		if !strings.HasSuffix(rel, ".jsonl") {
			return fmt.Errorf("expected/%s: expected/ holds only .jsonl files, one document per line", rel)
		}
		docs, err := readJSONL(dir, rel)
		if err != nil {
			return fmt.Errorf("expected/%w", err)
		}
		out[rel] = docs
		return nil
	})
	return out, err
}

// readJSONL reads dir/rel, a JSON Lines file whose every line must be a
// document; errors start with rel.
func readJSONL(dir, rel string) ([]bson.D, error) {
	lines, err := connectors.File{Dir: dir}.ReadStream(strings.TrimSuffix(rel, ".jsonl"))
	if err != nil {
		return nil, err
	}
	docs := make([]bson.D, 0, len(lines))
	for _, l := range lines {
		if l.Err != nil {
			return nil, l.Err
		}
		docs = append(docs, l.Doc)
	}
	return docs, nil
}

func writeJSONL(path string, docs []bson.D) error {
	var b strings.Builder
	for _, d := range docs {
		line, err := connectors.MarshalLine(d)
		if err != nil {
			return err
		}
		b.Write(line)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func copyDir(from, to string) error {
	if !isDir(from) {
		return nil
	}
	return filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		target := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

func unionKeys(a map[string][]bson.D, b map[string]*actualFile) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// compareDocs compares documents as values: field order never counts, row
// order only when ordered. The fields in ignore (_id, _ts, the stream
// metadata) count only in the expected documents that have them. It
// returns "" when they agree, else the difference as a user reads it.
func compareDocs(want, got []bson.D, ordered bool, ignore map[string]bool, generated map[bson.ObjectID]bool) string {
	// A field is shown in produced documents only when some expected
	// document has it, so the difference reads like the expected file.
	shown := map[string]bool{}
	for _, e := range want {
		for _, f := range e {
			if ignore[f.Key] {
				shown[f.Key] = true
			}
		}
	}
	show := func(d bson.D) string { return relaxed(stripFields(d, ignore, shown, generated)) }

	if ordered && len(want) == len(got) {
		same := true
		for i := range want {
			if docKey(want[i], nil) != docKey(got[i], dropsFor(want[i], ignore)) {
				same = false
				break
			}
		}
		if same {
			return ""
		}
	}
	// Match each expected document with a produced one; expected documents
	// with more of the ignorable fields are the pickier, so they go first.
	order := make([]int, len(want))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return countIn(want[order[a]], ignore) > countIn(want[order[b]], ignore) })
	used := make([]bool, len(got))
	keys := map[string][]string{}
	var missing []bson.D
	for _, i := range order {
		drops := dropsFor(want[i], ignore)
		ds := strings.Join(sortedSet(drops), ",")
		if keys[ds] == nil {
			keys[ds] = make([]string, len(got))
			for j, g := range got {
				keys[ds][j] = docKey(g, drops)
			}
		}
		wk := docKey(want[i], nil)
		found := false
		for j := range got {
			if !used[j] && keys[ds][j] == wk {
				used[j], found = true, true
				break
			}
		}
		if !found {
			missing = append(missing, want[i])
		}
	}
	var unexpected []bson.D
	for j, g := range got {
		if !used[j] {
			unexpected = append(unexpected, g)
		}
	}
	var b strings.Builder
	if len(missing) == 0 && len(unexpected) == 0 {
		if !ordered {
			return ""
		}
		// Same documents, other order, and the pipeline orders its output.
		b.WriteString("the same documents in another order, and the pipeline orders its output ($sort or ORDER BY)")
		b.WriteString("\n  want:")
		for _, d := range want {
			b.WriteString("\n    " + relaxed(d))
		}
		b.WriteString("\n  got:")
		for _, d := range got {
			b.WriteString("\n    " + show(d))
		}
		return b.String()
	}
	fmt.Fprintf(&b, "%d document(s) missing, %d unexpected (want %d, got %d)", len(missing), len(unexpected), len(want), len(got))
	for _, d := range missing {
		b.WriteString("\n  missing:    " + relaxed(d))
	}
	for _, d := range unexpected {
		b.WriteString("\n  unexpected: " + show(d))
	}
	return b.String()
}

// stripDLQTs removes _ts (and a tsFieldName) from the doc of dead letters
// unless an expected dead letter's doc has it: the document a stage
// refused carries the event time its source added, and that counts only
// where expected documents have it, as at the top level.
func stripDLQTs(want, got []bson.D, ignore map[string]bool) []bson.D {
	keep := map[string]bool{}
	for _, w := range want {
		if d, ok := dlqDoc(w); ok {
			for _, e := range d {
				keep[e.Key] = true
			}
		}
	}
	var out []bson.D
	for i, g := range got {
		d, ok := dlqDoc(g)
		if !ok {
			continue
		}
		nd := bson.D{}
		for _, e := range d {
			if e.Key != "_id" && e.Key != "_stream_meta" && ignore[e.Key] && !keep[e.Key] {
				continue
			}
			nd = append(nd, e)
		}
		if len(nd) == len(d) {
			continue
		}
		if out == nil {
			out = append([]bson.D(nil), got...)
		}
		ng := make(bson.D, len(g))
		copy(ng, g)
		for j := range ng {
			if ng[j].Key == "doc" {
				ng[j].Value = nd
			}
		}
		out[i] = ng
	}
	if out == nil {
		return got
	}
	return out
}

// dlqDoc is a dead letter's doc: the document of one with errInfo.
func dlqDoc(d bson.D) (bson.D, bool) {
	var doc bson.D
	isDLQ, ok := false, false
	for _, e := range d {
		switch e.Key {
		case "errInfo":
			isDLQ = true
		case "doc":
			doc, ok = e.Value.(bson.D)
		}
	}
	return doc, isDLQ && ok
}

// dropsFor is the ignorable fields an expected document doesn't have: the
// produced document's values for them don't count.
func dropsFor(want bson.D, ignore map[string]bool) map[string]bool {
	drops := map[string]bool{}
	for f := range ignore {
		drops[f] = true
	}
	for _, e := range want {
		delete(drops, e.Key)
	}
	return drops
}

func countIn(d bson.D, ignore map[string]bool) int {
	n := 0
	for _, e := range d {
		if ignore[e.Key] {
			n++
		}
	}
	return n
}

func sortedSet(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// stripFields removes the ignorable top-level fields not in keep, and _id
// when $merge generated it (it differs on every run). With keep nil, as
// --update calls it, _id is kept unless generated, so expected files hold
// the _ids that come from the data.
func stripFields(d bson.D, ignore, keep map[string]bool, generated map[bson.ObjectID]bool) bson.D {
	out := bson.D{}
	for _, e := range d {
		if e.Key == "_id" {
			if id, ok := e.Value.(bson.ObjectID); ok && generated[id] {
				continue
			}
			if keep != nil && !keep["_id"] {
				continue
			}
			out = append(out, e)
			continue
		}
		if ignore[e.Key] && !keep[e.Key] {
			continue
		}
		out = append(out, e)
	}
	return out
}

func relaxed(d bson.D) string {
	b, err := bson.MarshalExtJSON(d, false, false)
	if err != nil {
		return fmt.Sprintf("(unprintable: %v)", err)
	}
	return string(b)
}

// docKey is a document's value as a string that is equal for equal
// documents: top-level fields in drops removed, fields in name order at
// every level, numbers by value (1, NumberLong(1) and 1.0 are equal, as
// MongoDB compares them).
func docKey(d bson.D, drops map[string]bool) string {
	kept := bson.D{}
	for _, e := range d {
		if !drops[e.Key] {
			kept = append(kept, e)
		}
	}
	b, err := bson.MarshalExtJSON(canonValue(kept), true, false)
	if err != nil {
		return fmt.Sprintf("unprintable %v", err)
	}
	return string(b)
}

func canonValue(v any) any {
	switch t := v.(type) {
	case bson.D:
		out := make(bson.D, len(t))
		for i, e := range t {
			out[i] = bson.E{Key: e.Key, Value: canonValue(e.Value)}
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].Key < out[j].Key })
		return out
	case bson.M:
		out := bson.D{}
		for k, e := range t {
			out = append(out, bson.E{Key: k, Value: e})
		}
		return canonValue(out)
	case bson.A:
		out := make(bson.A, len(t))
		for i, e := range t {
			out[i] = canonValue(e)
		}
		return out
	case int32:
		return int64(t)
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
			return int64(t)
		}
	}
	return v
}
