package registry

import (
	"fmt"
	"io"
	"strings"
)

// RenderDocs writes the generated part of docs/connections.md: each kind,
// its URI form, what it serves, and a table of its options, from Specs.
func RenderDocs(w io.Writer) error {
	for i, s := range Specs() {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "### `%s`\n\n", s.Kind)
		fmt.Fprintf(w, "`--conn NAME=%s`\n\n", s.URI)
		fmt.Fprintf(w, "%s\n\n", s.Summary)
		fmt.Fprintf(w, "Serves: %s.\n\n", s.Serves)
		fmt.Fprintln(w, "| option | type | default | meaning |")
		fmt.Fprintln(w, "|---|---|---|---|")
		for _, o := range s.Options {
			typ := string(o.Type)
			if vs := nonEmpty(o.Values); len(vs) > 0 {
				typ = strings.Join(vs, " \\| ")
			}
			if o.Type == Secret {
				typ = "secret or env:VAR"
			}
			def := "—"
			switch {
			case o.Required:
				def = "required"
			case o.Default != "":
				def = "`" + o.Default + "`"
			}
			fmt.Fprintf(w, "| `%s` | %s | %s | %s |\n", o.Name, typ, def, strings.ReplaceAll(o.Doc, "|", "\\|"))
		}
	}
	return nil
}
