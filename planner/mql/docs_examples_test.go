package mql

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestMQLDocExamples decodes and validates every ```json pipeline of
// docs/mql.md, and checks that its error example is the error weir gives
// for the pipeline it names.
func TestMQLDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/mql.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllStringSubmatch(string(doc), -1)
	if len(blocks) < 2 {
		t.Fatalf("docs/mql.md has %d json examples, want the two pipeline files", len(blocks))
	}
	for _, b := range blocks {
		p, _, err := Decode([]byte(b[1]))
		if err != nil {
			t.Errorf("docs/mql.md example:\n%s\n%v", b[1], err)
			continue
		}
		if err := Validate(p); err != nil {
			t.Errorf("docs/mql.md example:\n%s\ndoes not validate: %v", b[1], err)
		}
	}

	m := regexp.MustCompile("(?s)```\n(pipeline\\[1\\]\\.\\$tumblingWindow[^\n]*)\n```").FindStringSubmatch(string(doc))
	if m == nil {
		t.Fatal("docs/mql.md: the error example is gone")
	}
	bad := `[{"$source": {"connectionName": "k", "topic": "t"}},
	 {"$tumblingWindow": {"interval": {"size": 1, "unit": "minutes"}, "pipeline": []}}]`
	p, _, err := Decode([]byte(bad))
	if err == nil {
		err = Validate(p)
	}
	if err == nil || !strings.Contains(err.Error(), m[1]) {
		t.Errorf("an interval unit of \"minutes\": got %v, docs/mql.md shows %s", err, m[1])
	}
}
