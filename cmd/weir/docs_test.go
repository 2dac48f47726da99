package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite generated docs")

// TestGeneratedDocsAreCurrent fails when a registry changed but the docs
// did not; `make golden` (or `weir docs`) rewrites them.
func TestGeneratedDocsAreCurrent(t *testing.T) {
	for _, d := range generatedDocs {
		path := filepath.Join("..", "..", "docs", d.file)
		old, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		updated, err := regenerate(old, d.render)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if bytes.Equal(old, updated) {
			continue
		}
		if *rewrite {
			if err := os.WriteFile(path, updated, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s is stale; run `make golden` and review the diff", path)
	}
}
