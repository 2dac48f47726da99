// Command weir is the streaming SQL engine's one binary. Each subcommand is
// wiring only: flags in, packages called, exit status out.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Exit statuses shared by the subcommands.
const (
	exitOK       = 0
	exitRuntime  = 1 // internal or runtime failure
	exitBadInput = 2 // the pipeline, query or flags are wrong
)

// usageError is a problem with the user's input: exit status 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func badInput(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

type command struct {
	name    string
	summary string
	run     func(args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"explain", "print the MQL pipeline a SQL file or MQL pipeline plans to", runExplain},
		{"run", "run a .sql file or MQL pipeline on the streaming runtime (files, Kafka, MongoDB)", runRun},
		{"test", "run weir test cases: pipelines over input/ compared with expected/", runTest},
		{"demo", "run the seeds' pipelines over the bundled example files", runDemo},
		{"playground", "run an embedded Kafka and MongoDB, a data generator and the seeds' processors (make run)", runPlayground},
		{"serve", "serve the PostgreSQL wire protocol: psql and drivers run weir SQL", runServe},
		{"docs", "regenerate the generated parts of docs/ (-w DIR)", runDocs},
	}
}

func main() {
	os.Exit(mainExit(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func mainExit(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitBadInput
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(args[1:], stdin, stdout, stderr)
		if err == nil {
			return exitOK
		}
		fmt.Fprintln(stderr, err)
		var ue usageError
		if errors.As(err, &ue) {
			return exitBadInput
		}
		return exitRuntime
	}
	fmt.Fprintf(stderr, "weir: unknown command %q\n", args[0])
	usage(stderr)
	return exitBadInput
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: weir <command> [arguments]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
}
