package parser

import (
	"os"
	"strings"
	"testing"
)

func TestZZSQL(t *testing.T) {
	src, _ := os.ReadFile("/tmp/h8/sql.txt")
	for _, q := range strings.Split(strings.TrimSpace(string(src)), "\n") {
		if q == "" || strings.HasPrefix(q, "#") {
			continue
		}
		stmts, err := Parse("q.sql", strings.ReplaceAll(q, `\n`, "\n"))
		if err != nil {
			t.Logf("%-75s ERR %v", q, err)
			continue
		}
		var out []string
		for _, s := range stmts {
			out = append(out, Format(s))
		}
		t.Logf("%-75s => %s", q, strings.Join(out, " ; "))
	}
}
