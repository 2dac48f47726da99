package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/weir-stream/weir/planner/mql"
)

func runExplain(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	canonical := fs.Bool("canonical", false, "print canonical rather than relaxed Extended JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: weir explain [--canonical] FILE|-")
		fmt.Fprintln(stderr, "Prints the MQL pipeline of each statement of a .sql file, or the normalized form of a .json (or mongosh .js) pipeline.")
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
		return badInput("weir explain: expected one FILE or -")
	}
	name, src, err := readInput(fs.Arg(0), stdin)
	if err != nil {
		return err
	}
	procs, warnings, err := planInput(name, src)
	for _, w := range warnings {
		fmt.Fprintln(stderr, name+": "+w.String())
	}
	if err != nil {
		return err
	}
	if len(procs) == 0 {
		fmt.Fprintf(stderr, "%s: no statement defines a pipeline\n", name)
	}
	for i, p := range procs {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		out, err := mql.Encode(p, *canonical)
		if err != nil {
			return fmt.Errorf("weir explain: internal error encoding the pipeline: %w", err)
		}
		fmt.Fprintf(stdout, "%s\n", out)
	}
	return nil
}

// readInput reads FILE, or standard input for "-".
func readInput(arg string, stdin io.Reader) (name string, src []byte, err error) {
	if arg == "-" {
		src, err = io.ReadAll(stdin)
		if err != nil {
			return "", nil, fmt.Errorf("reading standard input: %w", err)
		}
		return "<stdin>", src, nil
	}
	src, err = os.ReadFile(arg)
	if err != nil {
		return "", nil, badInput("%v", err)
	}
	return arg, src, nil
}

// isSQL tells SQL from an MQL pipeline: by extension, else by the first
// character that is not space or a comment (MQL starts with [ or {).
func isSQL(name string, src []byte) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".sql":
		return true
	case ".json", ".js", ".ejson":
		return false
	}
	s := strings.TrimSpace(string(src))
	for strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/*") {
		if strings.HasPrefix(s, "//") {
			if i := strings.IndexByte(s, '\n'); i >= 0 {
				s = strings.TrimSpace(s[i+1:])
				continue
			}
			return false
		}
		if i := strings.Index(s, "*/"); i >= 0 {
			s = strings.TrimSpace(s[i+2:])
			continue
		}
		return false
	}
	return !(strings.HasPrefix(s, "[") || strings.HasPrefix(s, "{"))
}

// planInput turns a file's text into the processors it defines, with the
// warnings found on the way. Errors in the input are usageErrors.
func planInput(name string, src []byte) ([]*mql.Processor, []mql.Warning, error) {
	if isSQL(name, src) {
		return planSQL(name, string(src))
	}
	p, warnings, err := mql.Decode(src)
	if err != nil {
		sep := ": "
		if msg := err.Error(); msg != "" && msg[0] >= '0' && msg[0] <= '9' {
			sep = ":" // a line:col position joins the file name as file:line:col
		}
		return nil, warnings, usageError{fmt.Errorf("%s%s%w", name, sep, err)}
	}
	return []*mql.Processor{p}, warnings, nil
}
