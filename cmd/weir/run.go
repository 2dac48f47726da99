package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/dustin/go-humanize"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/connectors/registry"
	"github.com/weir-stream/weir/exec"
	"github.com/weir-stream/weir/planner/mql"
)

// connFlags collects --conn NAME=file:DIR for commands that run over file
// connections only (weir serve, until its engine takes the registry).
type connFlags map[string]connectors.File

func (c connFlags) String() string { return "" }

func (c connFlags) Set(v string) error {
	conn, err := registry.ParseFlag(v)
	if err != nil {
		return err
	}
	if _, dup := c[conn.Name]; dup {
		return fmt.Errorf("connection %q is bound twice", conn.Name)
	}
	if conn.Kind != registry.File {
		return fmt.Errorf("connection %s: this command runs over file:DIR connections only for now; weir run takes %s connections", conn.Name, conn.Kind)
	}
	c[conn.Name] = conn.File
	return nil
}

// regFlags collects --conn NAME=URI of any kind, in the order given.
type regFlags []*registry.Connection

func (c *regFlags) String() string { return "" }

func (c *regFlags) Set(v string) error {
	conn, err := registry.ParseFlag(v)
	if err != nil {
		return err
	}
	*c = append(*c, conn)
	return nil
}

// stopGrace bounds a graceful stop: reading stops, sinks flush, positions
// commit. A sink that can't flush in that time (a broker gone away) must
// not keep Ctrl-C from working.
const stopGrace = 15 * time.Second

func runRun(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	// SIGINT and SIGTERM stop the processors gracefully; a second signal
	// kills the process (NotifyContext's stop restores the default).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	return runRunContext(ctx, args, stdin, stdout, stderr)
}

func runRunContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var conns regFlags
	fs.Var(&conns, "conn", "bind a connection: NAME=file:DIR, NAME=kafka://HOST:PORT[?…] or NAME=mongodb://… (repeatable)")
	config := fs.String("config", "", "read connections from a YAML file (see docs/connections.md)")
	name := fs.String("name", "", "the processor's name: DLQ documents show it, a Kafka source's consumer group is weir-NAME (default: the pipeline's name, else the file's)")
	timeout := fs.Duration("connect-timeout", 0, "bound on reaching each connection at start-up (default: each connection's own, 10s)")
	state := fs.String("state", "", "checkpoint directory: each processor keeps its window state and source positions in DIR/NAME and resumes from them on the next run")
	memLimit := fs.String("memory-limit", "", "bound on each processor's operator state (window rows, groups, $setWindowFields history), e.g. 512MiB; past it the processor fails naming the operator (default 1GiB; 0 for none)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: weir run [--conn NAME=URI]... [--config weir.yaml] [--name NAME] [--state DIR] [--memory-limit SIZE] FILE|-")
		fmt.Fprintln(stderr, "Runs a .sql file or a .json MQL pipeline on the streaming runtime.")
		fmt.Fprintln(stderr, "Over file:DIR connections it reads its input to the end and exits: stream NAME is DIR/NAME.jsonl,")
		fmt.Fprintln(stderr, "collection DB.COLL is DIR/DB/COLL.jsonl; $emit appends, $merge upserts into the collection's file,")
		fmt.Fprintln(stderr, "the DLQ (options.dlq) appends. Over kafka:// and mongodb:// connections it runs until SIGINT or")
		fmt.Fprintln(stderr, "SIGTERM, then stops reading, flushes its sinks, commits positions and exits 0.")
		fmt.Fprintln(stderr, "A pipeline without a sink prints relaxed Extended JSON to stdout, one document per line.")
		fmt.Fprintln(stderr, "Diagnostics go to stderr. Exit status: 0 done, 1 runtime failure, 2 an error in the pipeline or the flags.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err}
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return badInput("weir run: expected one FILE or -")
	}
	reg := registry.New()
	if *config != "" {
		if err := reg.LoadConfig(*config); err != nil {
			return badInput("weir run: --config: %v", err)
		}
	}
	for _, c := range conns {
		if err := reg.Add(c); err != nil {
			return badInput("weir run: --conn: %v", err)
		}
	}
	file, src, err := readInput(fs.Arg(0), stdin)
	if err != nil {
		return err
	}
	procs, warnings, err := planInput(file, src)
	for _, w := range warnings {
		fmt.Fprintln(stderr, file+": "+w.String())
	}
	if err != nil {
		return err
	}
	live := false
	for _, p := range procs {
		if *name != "" {
			p.Name = *name
		} else if p.Name == "" {
			p.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
		}
		if err := checkConns(p, reg); err != nil {
			return badInput("%s: %v", file, err)
		}
		live = live || !fileOnly(p, reg)
	}
	// The engine `weir serve` and the playground drive runs the
	// processors here too, in the foreground and unregistered.
	limit, err := parseMemoryLimit(*memLimit)
	if err != nil {
		return badInput("weir run: --memory-limit: %v", err)
	}
	eng, err := exec.OpenEngine(exec.EngineConfig{
		Registry: reg, ConnectTimeout: *timeout, MemoryLimit: limit,
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return err
	}
	defer eng.Close()
	r := &runner{eng: eng, reg: reg, file: file, stdout: stdout, stderr: stderr, state: *state}
	if !live {
		// Bounded inputs run one after the other, so output keeps the
		// order of the file's statements, as before.
		for _, p := range procs {
			if err := r.run(ctx, p); err != nil {
				return err
			}
		}
		return nil
	}
	// Live processors run until stopped, so they run side by side; the
	// first failure stops the others.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(procs))
	for _, p := range procs {
		go func() {
			err := r.run(ctx, p)
			if err != nil {
				cancel()
			}
			errs <- err
		}()
	}
	var first error
	for range procs {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// checkConns makes sure every connection p names is bound, and that a stage
// without a connectionName has one to use, before anything runs: a
// pipeline that names the wrong connection is an error in the input.
func checkConns(p *mql.Processor, reg *registry.Registry) error {
	named, usesDefault := pipelineConns(p)
	for _, n := range named {
		if _, err := reg.Resolve(n); err != nil {
			return fmt.Errorf("%v; bind it with --conn %s=file:DIR (or kafka://…, mongodb://…)", err, n)
		}
	}
	if usesDefault {
		if _, err := reg.Resolve(""); err != nil {
			return fmt.Errorf("a stage names no connection and %v; bind one with --conn default=URI", err)
		}
	}
	return nil
}

// fileOnly reports whether every connection p uses is a file:DIR one: its
// input is bounded, and it can fall back to the reference runner.
func fileOnly(p *mql.Processor, reg *registry.Registry) bool {
	named, usesDefault := pipelineConns(p)
	if usesDefault {
		named = append(named, "")
	}
	for _, n := range named {
		if c, err := reg.Resolve(n); err != nil || c.Kind != registry.File {
			return false
		}
	}
	return true
}

// runner runs one processor of a `weir run` on the streaming runtime.
type runner struct {
	eng            *exec.Engine
	reg            *registry.Registry
	file           string
	stdout, stderr io.Writer
	// state is the --state directory; "" runs without checkpoints.
	state string
	// mu keeps the lines of processors running side by side whole.
	mu sync.Mutex
}

func (r *runner) run(ctx context.Context, p *mql.Processor) error {
	files := fileOnly(p, r.reg)
	report := &fileOutput{}
	dlq := &deadLetters{}
	var proc *exec.Processor
	started := make(chan *exec.Processor, 1)
	ran := make(chan error, 1)
	var referenced bool
	go func() {
		_, err := r.eng.Run(ctx, p, exec.RunOptions{
			Output: &stdoutSink{w: r.stdout, mu: &r.mu},
			DLQ: func(opened connectors.Sink, sources map[string]connectors.Source) connectors.Sink {
				dlq.next = opened
				for _, s := range sources {
					if fs, ok := s.(*connectors.FileSource); ok {
						dlq.explain = append(dlq.explain, fs.Explain)
					}
				}
				return dlq
			},
			CheckpointDir: r.checkpointDir(p),
			Started:       func(p *exec.Processor) { started <- p },
			Ended: func(sinks map[string]connectors.Sink, dlqSink connectors.Sink) {
				report.dlq, report.dlqCount = dlq.kept, dlq.count
				for _, n := range sortedNames(sinks) {
					c, _ := r.reg.Get(n)
					if c == nil || c.Kind != registry.File {
						continue
					}
					switch s := sinks[n].(type) {
					case *connectors.FileEmit:
						report.addWrites(n, c.File.Dir, "emitted", s.Written())
					case *connectors.FileMerge:
						report.addWrites(n, c.File.Dir, "merged", s.Written())
					}
				}
				if s, ok := dlqSink.(*connectors.FileAppend); ok {
					report.addWrites("", "", "dlq", s.Written())
				}
			},
			Reference: func(p *mql.Processor) (exec.Stats, error) {
				// A stage the streaming runtime refuses (a nested
				// $lookup): bounded input lets the reference runner
				// produce the result, reported as before.
				referenced = true
				return exec.Stats{}, r.reference(p)
			},
		})
		close(started)
		ran <- err
	}()
	select {
	case proc = <-started:
	case err := <-ran:
		// Ended before running: it failed to open or build, or the
		// reference runner ran it. Or it ran to its end already: started
		// is closed before ran is sent, so this does not wait, and a
		// processor that ran still gets its report.
		ran <- err
		proc = <-started
	}
	if proc == nil {
		err := <-ran
		var refused *exec.BuildError
		switch {
		case err == nil:
			return nil
		case referenced:
			return err
		case errors.As(err, &refused):
			return badInput("%s: processor %s: %v", r.file, p.Name, refused.Err)
		}
		return fmt.Errorf("weir run: %s: processor %s: %w", r.file, p.Name, err)
	}
	r.mu.Lock()
	// The connections' notices were logged already, through the engine's
	// logger.
	if !files {
		fmt.Fprintf(r.stderr, "weir run: %s: running; Ctrl-C (SIGINT) or SIGTERM stops it\n", p.Name)
	}
	r.mu.Unlock()
	done := (<-chan error)(ran)
	if isTerminal(r.stderr) {
		// A one-line progress display, on a terminal only.
		pctx, stopProgress := context.WithCancel(ctx)
		defer stopProgress()
		cleared := make(chan struct{})
		go (&progress{w: r.stderr, mu: &r.mu, name: p.Name, stat: proc.Stats}).run(pctx, 250*time.Millisecond, cleared)
		done = stopProgressOn(ran, stopProgress, cleared)
	}
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		select {
		case err = <-done:
		case <-time.After(stopGrace):
			return fmt.Errorf("weir run: %s: processor %s: did not stop within %s (a sink could not flush); exiting without committing", r.file, p.Name, stopGrace)
		}
	}
	if err != nil {
		return fmt.Errorf("weir run: %s: processor %s: %w", r.file, p.Name, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !files {
		st := proc.Stats()
		fmt.Fprintf(r.stderr, "weir run: %s: stopped after reading %d document(s), writing %d, %d to the DLQ\n", p.Name, st.In, st.Out, st.DLQ)
	}
	report.report(r.stderr, p.Name)
	return nil
}

// parseMemoryLimit reads --memory-limit: a size such as 512MiB or 2GB
// (EngineConfig.MemoryLimit: "" is the default, "0" none).
func parseMemoryLimit(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := humanize.ParseBytes(v)
	if err != nil {
		return 0, fmt.Errorf("%q is not a size (512MiB, 2GB, 0 for none)", v)
	}
	if n == 0 {
		return -1, nil
	}
	if n > math.MaxInt64 {
		return 0, fmt.Errorf("%q is too large", v)
	}
	return int64(n), nil
}

// checkpointDir is where p keeps its checkpoints: DIR/NAME under --state.
func (r *runner) checkpointDir(p *mql.Processor) string {
	if r.state == "" {
		return ""
	}
	return filepath.Join(r.state, p.Name)
}

// reference runs a file-only processor with the reference runner, as
// `weir run` did before the streaming runtime, for the pipelines the
// runtime doesn't run yet.
func (r *runner) reference(p *mql.Processor) error {
	files := map[string]connectors.File{}
	for _, n := range r.reg.Names() {
		if c, _ := r.reg.Get(n); c.Kind == registry.File {
			files[n] = c.File
		}
	}
	out, err := runFiles(p, files, nil)
	if err != nil {
		return fmt.Errorf("weir run: %s: processor %s: %w", r.file, p.Name, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range out.stdout {
		line, err := connectors.MarshalLine(d)
		if err != nil {
			return fmt.Errorf("weir run: %s: printing a document: %w", r.file, err)
		}
		r.stdout.Write(line)
	}
	out.report(r.stderr, p.Name)
	return nil
}

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// stdoutSink prints a sink-less pipeline's documents as they come, one
// relaxed Extended JSON line each.
type stdoutSink struct {
	w  io.Writer
	mu *sync.Mutex
}

func (s *stdoutSink) Write(_ context.Context, docs []connectors.Doc) ([]connectors.Rejected, error) {
	var buf bytes.Buffer
	for _, d := range docs {
		line, err := connectors.MarshalLine(d.Doc)
		if err != nil {
			return nil, fmt.Errorf("printing a document: %w", err)
		}
		buf.Write(line)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.w.Write(buf.Bytes())
	return nil, err
}

// WriteLines prints documents the columnar fast path encoded already
// (exec.LineSink): the same bytes MarshalLine would make of them.
func (s *stdoutSink) WriteLines(_ context.Context, lines []byte, _ int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.w.Write(lines)
	return err
}

var _ exec.LineSink = (*stdoutSink)(nil)

func (s *stdoutSink) Flush(context.Context) error { return nil }
func (s *stdoutSink) Close() error                { return nil }

// deadLetters is the DLQ the runtime writes to: it puts back the file and
// line into the reason of a file line that was not a document (the
// runtime only knows the decoder's message), then passes the letters to
// the DLQ sink, or — without options.dlq — keeps the first few for the
// summary on stderr.
type deadLetters struct {
	next    connectors.Sink
	explain []func(raw string) (string, bool)
	kept    []bson.D
	count   int
}

const keptLetters = 5

func (d *deadLetters) Write(ctx context.Context, docs []connectors.Doc) ([]connectors.Rejected, error) {
	for i := range docs {
		docs[i].Doc = d.explained(docs[i].Doc)
	}
	if d.next != nil {
		return d.next.Write(ctx, docs)
	}
	d.count += len(docs)
	for _, doc := range docs {
		if len(d.kept) < keptLetters {
			d.kept = append(d.kept, doc.Doc)
		}
	}
	return nil, nil
}

func (d *deadLetters) explained(letter bson.D) bson.D {
	if op, _ := docGet(letter, "operatorName").(string); op != "$source" || len(d.explain) == 0 {
		return letter
	}
	raw, ok := docGet(docGet(letter, "doc"), "raw").(string)
	if !ok {
		return letter
	}
	for _, explain := range d.explain {
		if reason, ok := explain(raw); ok {
			for i, e := range letter {
				if e.Key == "errInfo" {
					letter[i].Value = bson.D{{Key: "reason", Value: reason}}
				}
			}
			return letter
		}
	}
	return letter
}

func (d *deadLetters) Flush(ctx context.Context) error {
	if d.next != nil {
		return d.next.Flush(ctx)
	}
	return nil
}

func (d *deadLetters) Close() error { return nil }

// pipelineConns lists the connection names p uses, and whether a stage
// that needs a connection names none.
func pipelineConns(p *mql.Processor) (names []string, usesDefault bool) {
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case bson.D:
			for _, e := range t {
				if s, ok := e.Value.(string); ok && e.Key == "connectionName" && !seen[s] {
					seen[s] = true
					names = append(names, s)
				}
				walk(e.Value)
			}
		case bson.A:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(mql.EncodeProcessor(p))
	for _, s := range p.Pipeline {
		switch s := s.(type) {
		case *mql.Source:
			usesDefault = usesDefault || (s.Kind != mql.DocumentsSource && s.ConnectionName == "")
		case *mql.Merge:
			usesDefault = usesDefault || s.Into.ConnectionName == ""
		case *mql.Emit:
			usesDefault = usesDefault || s.ConnectionName == ""
		}
	}
	sort.Strings(names)
	return names, usesDefault
}

// fileOutput is what one processor produced over file connections, once
// its sinks have written.
type fileOutput struct {
	// stdout is the output of a pipeline without a sink.
	stdout []bson.D
	// sinkless is set when the pipeline has no sink.
	sinkless bool
	// files are the files the sinks wrote, in a stable order.
	files []writtenFile
	// dlq holds DLQ documents that had no DLQ collection to go to (the
	// first few of dlqCount, when the streaming runtime ran).
	dlq      []bson.D
	dlqCount int
	// generated are the _ids $merge made up for documents without one.
	generated map[bson.ObjectID]bool
	// ordered says the pipeline orders its output ($sort near the end).
	ordered bool
	// metaField is the name of the stream metadata field in the output.
	metaField string
}

// writtenFile is one file a sink wrote.
type writtenFile struct {
	conn string
	dir  string
	// rel is the file's path inside the connection's directory, with
	// forward slashes: TOPIC.jsonl or DB/COLL.jsonl.
	rel string
	// what says how it was written: "emitted", "merged" or "dlq".
	what string
	// docs are what the run appended ($emit, the DLQ), or the collection's
	// final state ($merge).
	docs []bson.D
	// n and path stand for docs and dir/rel when the streaming runtime
	// wrote the file and only counted.
	n    int
	path string
}

// runFiles runs p with the reference runner and writes its sinks' output
// into the connections' directories: $emit and the DLQ append, $merge
// replaces the collection's file with its final state. now fixes the
// processing time (nil: the wall clock).
func runFiles(p *mql.Processor, conns map[string]connectors.File, now func() time.Time) (*fileOutput, error) {
	res, err := (&exec.Reference{Conns: conns, Now: now}).Run(p)
	if err != nil {
		return nil, err
	}
	out := &fileOutput{
		stdout:    res.Stdout,
		sinkless:  !endsInSink(p),
		generated: res.GeneratedIDs,
		ordered:   ordersOutput(p.Pipeline),
		metaField: "_stream_meta",
	}
	if n := p.Options.StreamMetaFieldName; n != nil {
		out.metaField = *n
	}
	for _, key := range sortedKeys(res.Emitted) {
		t := res.Targets[key]
		f := conns[t.Conn]
		if err := f.AppendStream(t.Topic, res.Emitted[key]); err != nil {
			return out, fmt.Errorf("$emit to connection %s: %w", t.Conn, err)
		}
		out.files = append(out.files, writtenFile{conn: t.Conn, dir: f.Dir, rel: t.Topic + ".jsonl", what: "emitted", docs: res.Emitted[key]})
	}
	for _, key := range sortedKeys(res.Merged) {
		t := res.Targets[key]
		f := conns[t.Conn]
		if err := f.WriteCollection(t.DB, t.Coll, res.Merged[key]); err != nil {
			return out, fmt.Errorf("$merge into connection %s: %w", t.Conn, err)
		}
		out.files = append(out.files, writtenFile{conn: t.Conn, dir: f.Dir, rel: t.DB + "/" + t.Coll + ".jsonl", what: "merged", docs: res.Merged[key]})
	}
	if dlq := p.Options.DLQ; dlq != nil {
		conn, err := exec.ResolveConn(conns, dlq.ConnectionName)
		if err != nil {
			return out, fmt.Errorf("options.dlq: %w", err)
		}
		f := conns[conn]
		if len(res.DLQ) > 0 {
			if err := f.AppendCollection(dlq.DB, dlq.Coll, res.DLQ); err != nil {
				return out, fmt.Errorf("the DLQ on connection %s: %w", conn, err)
			}
			out.files = append(out.files, writtenFile{conn: conn, dir: f.Dir, rel: dlq.DB + "/" + dlq.Coll + ".jsonl", what: "dlq", docs: res.DLQ})
		}
	} else {
		out.dlq = res.DLQ
	}
	return out, nil
}

// report tells stderr where the output went and what could not be
// processed.
func (o *fileOutput) report(w io.Writer, name string) {
	for _, f := range o.files {
		path := f.path
		if path == "" {
			path = filepath.Join(f.dir, filepath.FromSlash(f.rel))
		}
		n := f.n
		if f.docs != nil {
			n = len(f.docs)
		}
		switch f.what {
		case "emitted":
			fmt.Fprintf(w, "weir run: %s: emitted %d document(s) to %s\n", name, n, path)
		case "merged":
			fmt.Fprintf(w, "weir run: %s: merged into %s (%d document(s) now)\n", name, path, n)
		case "dlq":
			fmt.Fprintf(w, "weir run: %s: %d document(s) went to the DLQ %s\n", name, n, path)
		}
	}
	total := max(len(o.dlq), o.dlqCount)
	if total == 0 {
		return
	}
	fmt.Fprintf(w, "weir run: %s: %d document(s) could not be processed; set a DLQ (options.dlq, or WITH (dlq = 'conn.db.coll')) to keep them\n", name, total)
	const shown = 5
	for i, d := range o.dlq {
		if i == shown {
			break
		}
		op, _ := docGet(d, "operatorName").(string)
		reason, _ := docGet(docGet(d, "errInfo"), "reason").(string)
		fmt.Fprintf(w, "  %s: %s\n", op, reason)
	}
	if total > shown {
		fmt.Fprintf(w, "  … and %d more\n", total-shown)
	}
}

// addWrites records what the streaming runtime's file sinks wrote.
func (o *fileOutput) addWrites(conn, dir, what string, ws []connectors.FileWrite) {
	for _, w := range ws {
		o.files = append(o.files, writtenFile{conn: conn, dir: dir, rel: w.Rel, path: w.Path, what: what, n: w.Docs})
	}
}

// docGet reads a top-level field of a document; nil when v is not a
// document or has no such field.
func docGet(v any, key string) any {
	d, ok := v.(bson.D)
	if !ok {
		return nil
	}
	for _, e := range d {
		if e.Key == key {
			return e.Value
		}
	}
	return nil
}

func endsInSink(p *mql.Processor) bool {
	if len(p.Pipeline) == 0 {
		return false
	}
	switch p.Pipeline[len(p.Pipeline)-1].(type) {
	case *mql.Merge, *mql.Emit:
		return true
	}
	return false
}

// ordersOutput reports whether a pipeline decides the order of its output:
// its last stage that moves rows around is a $sort (ORDER BY), or a
// tumbling or hopping window whose pipeline ends in one (windows close in
// time order). Stages after it that keep row order don't change that.
func ordersOutput(p mql.Pipeline) bool {
	for i := len(p) - 1; i >= 0; i-- {
		switch s := p[i].(type) {
		case *mql.Sort:
			return true
		case *mql.TumblingWindow:
			return ordersOutput(s.Pipeline)
		case *mql.HoppingWindow:
			return ordersOutput(s.Pipeline)
		case *mql.Merge, *mql.Emit, *mql.Limit, *mql.Project, *mql.AddFields, *mql.Unset,
			*mql.ReplaceRoot, *mql.Match, *mql.SetStreamMeta, *mql.ValidateStage:
			continue
		}
		return false
	}
	return false
}

// stopProgressOn passes on the run's result after stopping the progress
// line, so the line is cleared before the summary is printed.
func stopProgressOn(done <-chan error, stop context.CancelFunc, cleared <-chan struct{}) chan error {
	out := make(chan error, 1)
	go func() {
		err := <-done
		stop()
		<-cleared
		out <- err
	}()
	return out
}
