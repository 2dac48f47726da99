package mql

import (
	"strings"
	"testing"
	"time"
)

// Text that isn't UTF-8 is refused where the bad byte is, in JSON and in
// mongosh syntax, rather than printed back with U+FFFD in a name.
func TestDecodeRejectsInvalidUTF8(t *testing.T) {
	for src, at := range map[string]string{
		"[{\"$source\": {\"connectionName\": \"k\",\n \"topic\": \"t\xff\"}}]": "2:13",
		"[{ $source: { connectionName: 'k',\n topic: 't\xff' } }]":             "2:11",
	} {
		_, _, err := Decode([]byte(src))
		if err == nil || err.Error() != at+": the input is not valid UTF-8 (byte 0xff); save the file as UTF-8" {
			t.Errorf("Decode(%q) error = %v, expected it at %s", src, err, at)
		}
	}
}

// Deep nesting is refused at once with its place, in JSON and in mongosh
// syntax, whatever the size of the input; brackets in strings and comments
// don't count.
func TestDecodeRejectsDeepNesting(t *testing.T) {
	const n = 1 << 20
	for _, src := range []string{
		strings.Repeat("[", n) + strings.Repeat("]", n),
		"x = " + strings.Repeat("{a: ", n) + "1" + strings.Repeat("}", n),
		`[{"$source": {"documents": [{"a": ` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}]}}]`,
	} {
		start := time.Now()
		_, _, err := Decode([]byte(src))
		if err == nil || !strings.Contains(err.Error(), "nested more than 200 levels deep") {
			t.Errorf("Decode(%.40q…) error = %v", src, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Decode(%.40q…) took %v", src, d)
		}
	}
	ok := `[{"$source": {"documents": [{"s": "` + strings.Repeat("[{(", 300) + `"}]}} /* ` + strings.Repeat("[", 300) + ` */]`
	if _, _, err := Decode([]byte(ok)); err != nil {
		t.Errorf("brackets in a string or comment: %v", err)
	}
	okShell := "// " + strings.Repeat("{", 300) + "\n[{ $source: { documents: [{ s: '" + strings.Repeat("[", 300) + "' }] } }]"
	if _, _, err := Decode([]byte(okShell)); err != nil {
		t.Errorf("brackets in a shell string or comment: %v", err)
	}
}

// mongosh strings take JavaScript's escapes: \x hex pairs and surrogate
// pairs for characters beyond U+FFFF.
func TestShellStringEscapes(t *testing.T) {
	p, _, err := Decode([]byte(`[{ $source: { connectionName: 'k', topic: '\x41\ud83d\ude00\v' } }]`))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Pipeline[0].(*Source).Topics[0]; got != "A😀\v" {
		t.Errorf("topic = %q, expected %q", got, "A😀\v")
	}
}
