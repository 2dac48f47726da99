package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/exec"
	"github.com/weir-stream/weir/planner/mql"
)

// connFlags collects --conn NAME=URI, in the order given.
type connFlags map[string]connectors.File

func (c connFlags) String() string { return "" }

func (c connFlags) Set(v string) error {
	name, uri, ok := strings.Cut(v, "=")
	if !ok || name == "" || uri == "" {
		return fmt.Errorf("%q is not NAME=URI (for example default=file:data)", v)
	}
	if _, dup := c[name]; dup {
		return fmt.Errorf("connection %q is bound twice", name)
	}
	f, err := parseConnURI(uri)
	if err != nil {
		return fmt.Errorf("connection %s: %w", name, err)
	}
	c[name] = f
	return nil
}

// parseConnURI reads a connection URI. Only file:DIR runs today; Kafka and
// MongoDB URIs are recognised so the message can say why they fail.
func parseConnURI(uri string) (connectors.File, error) {
	scheme, rest, _ := strings.Cut(uri, ":")
	switch strings.ToLower(scheme) {
	case "file":
		dir := strings.TrimPrefix(rest, "//")
		if dir == "" {
			return connectors.File{}, fmt.Errorf("%q names no directory; use file:DIR", uri)
		}
		return connectors.File{Dir: filepath.Clean(dir)}, nil
	case "kafka", "mongodb", "mongodb+srv":
		return connectors.File{}, fmt.Errorf("%s connections are not available until the Kafka and MongoDB connectors land; use file:DIR for now", scheme)
	}
	return connectors.File{}, fmt.Errorf("%q is not a connection URI; use file:DIR (kafka:// and mongodb:// come with the connectors)", uri)
}

func runRun(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	conns := connFlags{}
	fs.Var(conns, "conn", "bind a connection: NAME=file:DIR (repeatable)")
	name := fs.String("name", "", "the processor's name, as DLQ documents show it (default: the pipeline's name, else the file's)")
	fs.String("state", "", "checkpoint directory; accepted and unused until checkpoints exist (file sources are read from the start every run)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: weir run [--conn NAME=URI]... [--name NAME] [--state DIR] FILE|-")
		fmt.Fprintln(stderr, "Runs a .sql file or a .json MQL pipeline over file connections to the end of their input.")
		fmt.Fprintln(stderr, "A connection file:DIR holds stream NAME in DIR/NAME.jsonl and collection DB.COLL in DIR/DB/COLL.jsonl.")
		fmt.Fprintln(stderr, "$emit appends to its topic's file, $merge rewrites its collection's file with the final state,")
		fmt.Fprintln(stderr, "the DLQ (options.dlq) appends to its collection's file; a pipeline without a sink prints")
		fmt.Fprintln(stderr, "relaxed Extended JSON to stdout, one document per line. Diagnostics go to stderr.")
		fmt.Fprintln(stderr, "Exit status: 0 done, 1 runtime failure, 2 an error in the pipeline or the flags.")
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
	for _, p := range procs {
		if *name != "" {
			p.Name = *name
		} else if p.Name == "" {
			p.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
		}
		if err := checkConns(p, conns); err != nil {
			return badInput("%s: %v", file, err)
		}
	}
	for _, p := range procs {
		out, err := runFiles(p, conns, nil)
		if err != nil {
			return fmt.Errorf("weir run: %s: processor %s: %w", file, p.Name, err)
		}
		for _, d := range out.stdout {
			line, err := connectors.MarshalLine(d)
			if err != nil {
				return fmt.Errorf("weir run: %s: printing a document: %w", file, err)
			}
			stdout.Write(line)
		}
		out.report(stderr, p.Name)
	}
	return nil
}

// checkConns makes sure every connection p names is bound, and that a stage
// without a connectionName has one to use, before anything runs: a
// pipeline that names the wrong connection is an error in the input.
func checkConns(p *mql.Processor, conns map[string]connectors.File) error {
	named, usesDefault := pipelineConns(p)
	for _, n := range named {
		if _, err := exec.ResolveConn(conns, n); err != nil {
			return fmt.Errorf("%v; bind it with --conn %s=file:DIR", err, n)
		}
	}
	if usesDefault {
		if _, err := exec.ResolveConn(conns, ""); err != nil {
			return fmt.Errorf("a stage names no connection and %v; bind one with --conn default=file:DIR", err)
		}
	}
	return nil
}

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
	// dlq holds DLQ documents that had no DLQ collection to go to.
	dlq []bson.D
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
		path := filepath.Join(f.dir, filepath.FromSlash(f.rel))
		switch f.what {
		case "emitted":
			fmt.Fprintf(w, "weir run: %s: emitted %d document(s) to %s\n", name, len(f.docs), path)
		case "merged":
			fmt.Fprintf(w, "weir run: %s: merged into %s (%d document(s) now)\n", name, path, len(f.docs))
		case "dlq":
			fmt.Fprintf(w, "weir run: %s: %d document(s) went to the DLQ %s\n", name, len(f.docs), path)
		}
	}
	if len(o.dlq) == 0 {
		return
	}
	fmt.Fprintf(w, "weir run: %s: %d document(s) could not be processed; set a DLQ (options.dlq, or WITH (dlq = 'conn.db.coll')) to keep them\n", name, len(o.dlq))
	const shown = 5
	for i, d := range o.dlq {
		if i == shown {
			fmt.Fprintf(w, "  … and %d more\n", len(o.dlq)-shown)
			break
		}
		op, _ := docGet(d, "operatorName").(string)
		reason, _ := docGet(docGet(d, "errInfo"), "reason").(string)
		fmt.Fprintf(w, "  %s: %s\n", op, reason)
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
