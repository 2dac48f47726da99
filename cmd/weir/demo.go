package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/weir-stream/weir/connectors"
	"github.com/weir-stream/weir/exec"
	"github.com/weir-stream/weir/planner/mql"
)

// demoSteps are what `make run` shows, in order: the seeds' pipelines as
// written, the first seed fixed as its lint suggests, and the same
// pipelines in SQL. Every connection they name reads examples/data.
var demoSteps = []struct {
	file  string
	title string
	// fix edits the pipeline before it runs; nil runs it as written.
	fix func(*mql.Processor) string
}{
	{"high_value_sales.json", "seed 1 as written: change stream on store.sales, amount > 1000, into store.highValueSales", nil},
	{"high_value_sales.json", "seed 1 with the lint's fix (config.fullDocumentOnly: true)", fullDocumentOnly},
	{"customer_spending.json", "seed 2 as written: orders joined with customers, 5-minute running spend, to customer-spending", nil},
	{"high_value_sales.sql", "seed 1 in SQL", nil},
	{"customer_spending.sql", "seed 2 in SQL", nil},
	{"spend_per_5min.sql", "per-customer spend in 5-minute tumbling windows, in SQL", nil},
}

func runDemo(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("examples", "examples", "the examples directory (pipelines, and data/ with the files they read)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: weir demo [--examples DIR]")
		fmt.Fprintln(stderr, "Runs the seeds' pipelines, as written and in SQL, over the example files, printing each plan and what reaches each sink.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err}
	}
	data := connectors.File{Dir: filepath.Join(*dir, "data")}
	fmt.Fprintf(stdout, "weir demo: the seeds' pipelines over the example files in %s\n", data.Dir)
	fmt.Fprintln(stdout, "(the Kafka/MongoDB playground comes with the connectors; this runs the same pipelines on files)")
	for i, step := range demoSteps {
		path := filepath.Join(*dir, step.file)
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		procs, warnings, err := planInput(path, src)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\n== %d. %s\n== %s\n", i+1, step.title, path)
		for _, p := range procs {
			if step.fix != nil {
				fmt.Fprintf(stdout, "fix: %s\n", step.fix(p))
				warnings = mql.Lint(p)
			}
			for _, w := range warnings {
				fmt.Fprintf(stdout, "%s\n", w)
			}
			plan, err := mql.Encode(p, false)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "-- pipeline:\n%s\n", plan)
			ref := &exec.Reference{Conns: demoConns(p, data)}
			res, err := ref.Run(p)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			printResult(stdout, res)
		}
	}
	return nil
}

// demoConns binds every connection a pipeline names, and default, to the
// example data.
func demoConns(p *mql.Processor, data connectors.File) map[string]connectors.File {
	conns := map[string]connectors.File{"default": data}
	doc := mql.EncodeProcessor(p)
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case bson.D:
			for _, e := range t {
				if e.Key == "connectionName" {
					if s, ok := e.Value.(string); ok {
						conns[s] = data
					}
				}
				walk(e.Value)
			}
		case bson.A:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(doc)
	return conns
}

func fullDocumentOnly(p *mql.Processor) string {
	src := p.Pipeline[0].(*mql.Source)
	if src.StreamConfig == nil {
		src.StreamConfig = &mql.ChangeStreamConfig{}
	}
	yes := true
	src.StreamConfig.FullDocumentOnly = &yes
	return "set $source.config.fullDocumentOnly: true, so later stages see the inserted documents rather than change events"
}

func printResult(w io.Writer, res *exec.Result) {
	printDocs := func(title string, docs []bson.D) {
		fmt.Fprintf(w, "-- %s: %d document(s)\n", title, len(docs))
		for _, d := range docs {
			b, err := bson.MarshalExtJSON(d, false, false)
			if err != nil {
				fmt.Fprintf(w, "(unprintable: %v)\n", err)
				continue
			}
			fmt.Fprintf(w, "%s\n", b)
		}
	}
	if len(res.Emitted) == 0 && len(res.Merged) == 0 {
		printDocs("output", res.Stdout)
	}
	for _, k := range sortedKeys(res.Emitted) {
		printDocs("emitted to "+k, res.Emitted[k])
	}
	for _, k := range sortedKeys(res.Merged) {
		printDocs("merged into "+k, res.Merged[k])
	}
	if len(res.DLQ) > 0 {
		printDocs("dead-letter queue", res.DLQ)
	}
}

func sortedKeys(m map[string][]bson.D) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var _ = strings.TrimSpace
