package mql

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecode feeds whole processors, JSON or mongosh syntax, to Decode. No
// input may panic, and whatever decodes must print as canonical Extended JSON
// that decodes to an equal processor and prints the same again; the relaxed
// form `weir explain` shows must decode too. Run it with
//
//	go test ./planner/mql -run '^$' -fuzz FuzzDecode -fuzztime 60s -fuzzminimizetime 5s
//
// It is seeded with every input of testdata/mql/pipelines and
// testdata/errors/mql_*.
func FuzzDecode(f *testing.F) {
	for _, pattern := range []string{"../../testdata/mql/pipelines/*.txt", "../../testdata/errors/mql_*.txt"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			src, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			for _, in := range decodeInputs(string(src)) {
				f.Add(in)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, _, err := Decode([]byte(src))
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Decode(%q): error %v is a %T, not an *Error with a path", src, err, err)
			}
			return
		}
		exact, err := Encode(p, true)
		if err != nil {
			t.Fatalf("Encode(%q): %v", src, err)
		}
		p2, _, err := Decode(exact)
		if err != nil {
			t.Fatalf("decoding the encoded form of %q: %v\n%s", src, err, exact)
		}
		if d := cmp.Diff(p, p2, pipelineCmpOpts...); d != "" {
			t.Fatalf("round trip of %q changed the processor:\n%s", src, d)
		}
		exact2, _ := Encode(p2, true)
		if string(exact2) != string(exact) {
			t.Fatalf("encoding of %q is not stable:\n%s\nthen\n%s", src, exact, exact2)
		}
		relaxed, err := Encode(p, false)
		if err != nil {
			t.Fatalf("Encode(%q, relaxed): %v", src, err)
		}
		// Relaxed JSON prints a small int64 as a plain number, which
		// reads back as an int32, so only decoding is checked.
		if _, _, err := Decode(relaxed); err != nil {
			t.Fatalf("decoding the relaxed form of %q: %v\n%s", src, err, relaxed)
		}
	})
}

// decodeInputs returns the inputs of the decode cases of a datadriven file:
// the lines between a decode command and its ---- separator.
func decodeInputs(file string) []string {
	var out, cur []string
	in := false
	for _, line := range strings.Split(file, "\n") {
		switch {
		case !in && strings.HasPrefix(line, "decode"):
			in, cur = true, nil
		case in && line == "----":
			in = false
			out = append(out, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, line)
		}
	}
	return out
}
