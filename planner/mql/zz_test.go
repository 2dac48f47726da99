package mql

import (
	"os"
	"strings"
	"testing"
)

func TestZZExprs(t *testing.T) {
	src, _ := os.ReadFile("/tmp/h8/exprs.txt")
	for _, line := range strings.Split(strings.TrimSpace(string(src)), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		kind, in, _ := strings.Cut(line, " ")
		v, err := ParseJSON([]byte(in))
		if err != nil {
			t.Logf("%-70s JSON ERR %v", in, err)
			continue
		}
		switch kind {
		case "e":
			e, err := ParseExpr(v, "x")
			if err != nil {
				t.Logf("%-70s ERR %v", in, err)
				continue
			}
			b, _ := EncodeJSON(EncodeExpr(e), false, false)
			t.Logf("%-70s => %s", in, b)
		case "a":
			e, err := ParseAccumulator(v, "x")
			if err != nil {
				t.Logf("%-70s ERR %v", in, err)
				continue
			}
			b, _ := EncodeJSON(EncodeExpr(e), false, false)
			t.Logf("%-70s => %s", in, b)
		case "q":
			q, err := ParseQuery(v, "x")
			if err != nil {
				t.Logf("%-70s ERR %v", in, err)
				continue
			}
			b, _ := EncodeJSON(EncodeQuery(q), false, false)
			t.Logf("%-70s => %s", in, b)
		}
	}
}
