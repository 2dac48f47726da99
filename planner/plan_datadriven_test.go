package planner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/weir-stream/weir/parser"
	"github.com/weir-stream/weir/planner/mql"
)

// render prints what `weir explain` shows for each statement: warnings,
// then the processor as relaxed Extended JSON; statements without a
// pipeline print their kind and name.
func render(t *testing.T, plans []*Plan) string {
	var b strings.Builder
	for i, p := range plans {
		if i > 0 {
			b.WriteString("\n")
		}
		for _, w := range p.Warnings {
			fmt.Fprintln(&b, w.String())
		}
		if p.Processor == nil {
			fmt.Fprintf(&b, "%s", p.Kind)
			if p.Name != "" {
				fmt.Fprintf(&b, " %s", p.Name)
			}
			if p.Connection != nil {
				fmt.Fprintf(&b, " type=%s", p.Connection.Type)
				for _, o := range p.Connection.Options {
					fmt.Fprintf(&b, " %s=%#v", o.Key, o.Value)
				}
			}
			b.WriteString("\n")
			continue
		}
		out, err := mql.Encode(p.Processor, false)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		b.Write(out)
		b.WriteString("\n")
		// Every planned pipeline reads back as itself.
		back, _, err := mql.Decode(out)
		if err != nil {
			t.Errorf("the planned pipeline does not decode: %v\n%s", err, out)
		} else if again, _ := mql.Encode(back, false); string(again) != string(out) {
			t.Errorf("decode(encode(p)) != p:\n%s\nvs\n%s", out, again)
		}
	}
	return b.String()
}

func TestPlan(t *testing.T) {
	datadriven.Walk(t, "../testdata/plan", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "plan":
				plans, err := PlanSQL("query.sql", d.Input)
				if err != nil {
					t.Fatalf("%s: unexpected error: %v", d.Pos, err)
				}
				return render(t, plans)
			}
			t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
			return ""
		})
	})
}

func TestPlanErrors(t *testing.T) {
	files, _ := filepath.Glob("../testdata/errors/plan_*.txt")
	if len(files) == 0 {
		t.Fatal("no testdata/errors/plan_*.txt files")
	}
	for _, f := range files {
		datadriven.RunTest(t, f, func(t *testing.T, d *datadriven.TestData) string {
			if d.Cmd != "error" {
				t.Fatalf("%s: unknown command %q", d.Pos, d.Cmd)
			}
			_, err := PlanSQL("query.sql", d.Input)
			if err == nil {
				t.Fatalf("%s: expected an error", d.Pos)
			}
			var pe *Error
			var se *parser.Error
			switch {
			case errors.As(err, &pe):
				return fmt.Sprintf("%s\nSQLSTATE %s\n", pe.Error(), pe.Code)
			case errors.As(err, &se):
				return fmt.Sprintf("%s\nSQLSTATE %s (parser)\n", se.Error(), se.Code)
			}
			t.Fatalf("%s: error of type %T: %v", d.Pos, err, err)
			return ""
		})
	}
}

// TestSeedInSQL checks that the second seed written in SQL plans to the
// seed's own pipeline: the same stages, but for the join's alias (c in
// the SQL, customerInfo in the seed) and the $project that gives SQL rows
// exactly their columns.
func TestSeedInSQL(t *testing.T) {
	sql, err := os.ReadFile("../examples/customer_spending.sql")
	if err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile("../examples/customer_spending.json")
	if err != nil {
		t.Fatal(err)
	}
	plans, err := PlanSQL("customer_spending.sql", string(sql))
	if err != nil {
		t.Fatal(err)
	}
	seed, _, err := mql.Decode([]byte(strings.ReplaceAll(string(js), "customerInfo", "c")))
	if err != nil {
		t.Fatal(err)
	}
	got, want := plans[0].Processor.Pipeline, seed.Pipeline
	if len(got) != len(want) {
		t.Fatalf("the SQL plans to %d stages, the seed has %d", len(got), len(want))
	}
	for i := range got {
		if got[i].Op() != want[i].Op() {
			t.Errorf("stage %d: %s in the SQL plan, %s in the seed", i, got[i].Op(), want[i].Op())
			continue
		}
		if got[i].Op() == "$project" {
			continue
		}
		if sw, ok := got[i].(*mql.SetWindowFields); ok {
			// SQL's SUM adds a hidden count of the numbers in the
			// frame, to be NULL where $sum is 0; the seed has none.
			c := *sw
			c.Output = nil
			for _, o := range sw.Output {
				if !strings.HasPrefix(o.Field, "__") {
					c.Output = append(c.Output, o)
				}
			}
			got[i] = &c
		}
		g, _ := mql.EncodeJSON(mql.Doc(got[i]), true, false)
		w, _ := mql.EncodeJSON(mql.Doc(want[i]), true, false)
		// The seed's project reads $customerInfo.name, renamed above.
		if string(g) != string(w) {
			t.Errorf("stage %d differs:\nSQL:  %s\nseed: %s", i, g, w)
		}
	}
}

var fenceRE = regexp.MustCompile("(?s)```(sql|json)\n(.*?)```")

// TestDocsExamples keeps docs/sql.md honest: every ```sql example is the
// input of a testdata/plan case, and a ```json block right after it is
// part of that case's output (whitespace aside), so the docs can show the
// stages that matter.
func TestDocsExamples(t *testing.T) {
	doc, err := os.ReadFile("../docs/sql.md")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{}
	files, _ := filepath.Glob("../testdata/plan/*.txt")
	for _, f := range files {
		datadriven.RunTest(t, f, func(t *testing.T, d *datadriven.TestData) string {
			cases[strings.TrimSpace(d.Input)] = d.Expected
			return d.Expected
		})
	}
	blocks := fenceRE.FindAllStringSubmatch(string(doc), -1)
	n := 0
	for i, b := range blocks {
		if b[1] != "sql" {
			continue
		}
		n++
		sql := strings.TrimSpace(b[2])
		exp, ok := cases[sql]
		if !ok {
			t.Errorf("docs/sql.md example is not a testdata/plan case:\n%s", sql)
			continue
		}
		if i+1 < len(blocks) && blocks[i+1][1] == "json" {
			if got := blocks[i+1][2]; !strings.Contains(squeeze(exp), squeeze(got)) {
				t.Errorf("docs/sql.md shows for\n%s\nthis MQL:\n%s\nbut the golden output is:\n%s", sql, got, exp)
			}
		}
	}
	if n == 0 {
		t.Error("docs/sql.md has no ```sql examples")
	}
}

// squeeze drops whitespace outside JSON strings.
func squeeze(s string) string {
	var b strings.Builder
	in, esc := false, false
	for _, r := range s {
		switch {
		case esc:
			esc = false
		case in && r == '\\':
			esc = true
		case r == '"':
			in = !in
		case !in && (r == ' ' || r == '\n' || r == '\t' || r == '\r'):
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestPlanParseCorpus plans every statement of the parser's golden files:
// planning may fail, but must never panic.
func TestPlanParseCorpus(t *testing.T) {
	files, _ := filepath.Glob("../testdata/parse/*.txt")
	for _, f := range files {
		datadriven.RunTest(t, f, func(t *testing.T, d *datadriven.TestData) string {
			stmts, err := parser.Parse("corpus.sql", d.Input)
			if err != nil {
				return d.Expected
			}
			for _, s := range stmts {
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Errorf("%s: planning %s panicked: %v", d.Pos, parser.Format(s), r)
						}
					}()
					_, _ = PlanStatement(s)
				}()
			}
			return d.Expected
		})
	}
}
