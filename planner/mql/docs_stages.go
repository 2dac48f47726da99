package mql

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// RenderStageDocs writes the stage support matrix as Markdown: each stage,
// its options, whether it is ASP or a weir extension, where it may appear,
// and a note. It renders the registry, so the docs follow the code.
func RenderStageDocs(w io.Writer) error {
	var b strings.Builder
	b.WriteString("## Stages\n\n")
	b.WriteString("Where: **main** is the processor's pipeline, **window** a window stage's inner pipeline, " +
		"**payload** an `$https`/`$externalFunction` payload, **lookup** a `$lookup` sub-pipeline, " +
		"**whenMatched** a `$merge` whenMatched pipeline, **change stream** `$source.config.pipeline`.\n\n")
	b.WriteString("| stage | options | ASP or weir | where | notes |\n|---|---|---|---|---|\n")
	for _, s := range stageInfos {
		opts := "—"
		if len(s.Options) > 0 {
			opts = "`" + strings.Join(s.Options, "`, `") + "`"
		}
		kind := "ASP"
		switch {
		case s.IsExtension():
			kind = "weir extension"
		case s.Extension != 0:
			kind = "ASP; weir extension in " + placeShort(s.Extension)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", s.Name, opts, kind, placeShort(s.Allowed), s.Doc)
	}
	b.WriteString("\nNot supported (as in ASP): ")
	names := make([]string, 0, len(unsupportedStages))
	for _, s := range sortedKeys(unsupportedStages) {
		n := "`" + s + "`"
		if alt := unsupportedStages[s]; alt != "" {
			n += " (" + alt + ")"
		}
		names = append(names, n)
	}
	b.WriteString(strings.Join(names, ", ") + ".\n")
	b.WriteString("\nASP stages weir does not support yet: ")
	names = names[:0]
	for _, s := range sortedKeys(notYetStages) {
		n := "`" + s + "`"
		if alt := notYetStages[s]; alt != "" {
			n += " (" + alt + ")"
		}
		names = append(names, n)
	}
	b.WriteString(strings.Join(names, ", ") + ".\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func placeShort(p Place) string {
	short := []struct {
		p    Place
		name string
	}{{InMain, "main"}, {InWindow, "window"}, {InPayload, "payload"}, {InLookup, "lookup"}, {InWhenMatched, "whenMatched"}, {InChangeStream, "change stream"}}
	var out []string
	for _, s := range short {
		if p&s.p != 0 {
			out = append(out, s.name)
		}
	}
	return strings.Join(out, ", ")
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
