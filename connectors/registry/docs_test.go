package registry

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite docs/connections.md's generated section")

const (
	beginGenerated = "<!-- BEGIN GENERATED: weir docs; edit the registry, not this -->\n"
	endGenerated   = "<!-- END GENERATED -->\n"
)

// TestConnectionsDocIsCurrent keeps docs/connections.md's tables equal to
// Specs: run with -rewrite after changing an option.
func TestConnectionsDocIsCurrent(t *testing.T) {
	const path = "../../docs/connections.md"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(doc, []byte(beginGenerated))
	end := bytes.Index(doc, []byte(endGenerated))
	if start < 0 || end < start {
		t.Fatalf("%s has no generated section", path)
	}
	var body bytes.Buffer
	if err := RenderDocs(&body); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	want.Write(doc[:start+len(beginGenerated)])
	want.Write(body.Bytes())
	want.Write(doc[end:])
	if bytes.Equal(doc, want.Bytes()) {
		return
	}
	if *rewrite {
		if err := os.WriteFile(path, want.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is stale; run go test ./connectors/registry -run TestConnectionsDocIsCurrent -rewrite", path)
}
