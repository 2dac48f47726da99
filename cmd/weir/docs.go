package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/weir-stream/weir/planner/mql"
)

// Generated sections of docs/: the text between the markers is rewritten
// from the registries; everything around it is written by hand.
const (
	beginGenerated = "<!-- BEGIN GENERATED: weir docs; edit the registry, not this -->\n"
	endGenerated   = "<!-- END GENERATED -->\n"
)

// generatedDocs lists the generated sections: the file under docs/ and
// what renders its section.
var generatedDocs = []struct {
	file   string
	render func(w io.Writer) error
}{
	{"mql.md", func(w io.Writer) error {
		if err := mql.RenderStageDocs(w); err != nil {
			return err
		}
		fmt.Fprintln(w)
		return mql.RenderOperatorDocs(w)
	}},
}

func runDocs(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("docs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("w", "docs", "the docs directory whose generated sections to rewrite")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: weir docs [-w DIR]")
		fmt.Fprintln(stderr, "Rewrites the generated sections of the docs from the registries.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err}
	}
	for _, d := range generatedDocs {
		path := filepath.Join(*dir, d.file)
		old, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		updated, err := regenerate(old, d.render)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if !bytes.Equal(old, updated) {
			if err := os.WriteFile(path, updated, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "rewrote %s\n", path)
		}
	}
	return nil
}

// regenerate replaces the generated section of a document.
func regenerate(doc []byte, render func(io.Writer) error) ([]byte, error) {
	start := bytes.Index(doc, []byte(beginGenerated))
	end := bytes.Index(doc, []byte(endGenerated))
	if start < 0 || end < start {
		return nil, fmt.Errorf("no generated section (markers %q … %q)", beginGenerated, endGenerated)
	}
	var body bytes.Buffer
	if err := render(&body); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Write(doc[:start+len(beginGenerated)])
	out.Write(body.Bytes())
	if !bytes.HasSuffix(body.Bytes(), []byte("\n")) {
		out.WriteByte('\n')
	}
	out.Write(doc[end:])
	return out.Bytes(), nil
}
